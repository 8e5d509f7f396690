"""Python source written the way black writes it, so that black, run over every generated file, only verifies.

Black formats a file twice when its first pass changed anything (to settle trailing commas it added), so input
that is already in black's form costs it about half. The rule followed here gives one of black's fixed points:
a bracket stays on one line when the whole line fits in `LINE_LENGTH` columns (as black measures them: East
Asian wide characters count two), else it is exploded one element per line with a magic trailing comma, which
black keeps exploded.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from black.strings import str_width

LINE_LENGTH = 120
INDENT = "    "
_QUOTE_RUN = re.compile(r'"(?=")')  # a quote before another could close the docstring


@dataclass(frozen=True)
class Code:
    """Source text written as is: a name, an annotation."""

    text: str


@dataclass(frozen=True)
class Call:
    """`name(args..., key=value...)`, or a subscript `name[args...]`."""

    name: str
    args: Sequence[object] = ()
    kwargs: Sequence[tuple[str, object]] = ()
    brackets: str = "()"


def string(text: str) -> str:
    """A str literal in black's quotes: double, unless that takes more escapes than single quotes."""
    literal = repr(text)
    if literal[0] == '"' or text.count('"') > text.count("'"):  # repr's choice is black's
        return literal
    return '"' + literal[1:-1].replace("\\'", "'").replace('"', '\\"') + '"'


def inline(value: object) -> str:
    """`value` as a one-line Python expression."""
    if isinstance(value, str):
        return string(value)
    if isinstance(value, Code):
        return value.text
    if isinstance(value, tuple):
        return f"({inline(value[0])},)" if len(value) == 1 else f"({', '.join(map(inline, value))})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{inline(k)}: {inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Call):
        return f"{value.name}{value.brackets[0]}{', '.join(_call_items(value))}{value.brackets[1]}"
    if isinstance(value, float) and not math.isfinite(value):  # `repr` would write the names `nan`, `inf`
        raise ValueError(f"no Python literal for {value}")
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    raise TypeError(f"no Python literal for {type(value).__name__}")


def one_line(text: str) -> str:
    """`text` for a comment (`# ...`, `<!-- ... -->`): every character that is not printable (line breaks of any
    kind, U+2028, controls) written as its escape, so nothing in `text` can end the comment's line."""
    return "".join(ch if ch == " " or ch.isprintable() else _escape_char(ch) for ch in text)


def statement(lead: str, value: object, depth: int = 0, tail: str = "") -> str:
    """`lead + value + tail` at `depth`: one line when it fits, else `value` exploded (nested brackets likewise)."""
    return "\n".join(_lines(lead, value, depth, tail))


def function(head: str, call: Call, returns: str, depth: int = 0, body: str = ":") -> str:
    """`def name(params) -> returns:` (`head` "async def ", `body` ": ..." in a stub), split as black splits it:
    the parameters first, then a return annotation that still does not fit, in parentheses."""
    text = statement(head, call, depth, f" -> {returns}{body}")
    start, _, last = text.rpartition("\n")
    if start and not fits(last):
        indent = INDENT * depth
        text = f"{start}\n{indent}) -> (\n{indent}{INDENT}{returns}\n{indent}){body}"
    return text


def import_from(module: str, names: Sequence[str], depth: int = 0) -> str:
    """`from module import a, b`, in parentheses one name a line when too long."""
    line = f"{INDENT * depth}from {module} import {', '.join(names)}"
    if fits(line):
        return line
    inner = INDENT * (depth + 1)
    return "\n".join(
        [f"{INDENT * depth}from {module} import (", *(f"{inner}{n}," for n in names), f"{INDENT * depth})"]
    )


def import_block(code: str, groups: Sequence[Sequence[tuple[str, Sequence[str]]]]) -> str:
    """The imports of `groups` (each a list of (module, names); a blank line between groups) that `code` uses:
    a module imports only the names its code refers to, so none is left unused."""
    used = {node.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Name)}
    blocks = []
    for group in groups:
        lines = [import_from(module, [n for n in names if n in used]) for module, names in group if used & set(names)]
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


NO_DEFAULT = Code("")  # `annotated` without ` = value`


def annotated(name: str, annotation: str, depth: int = 1, value: object = NO_DEFAULT) -> str:
    """`name: annotation = value` at `depth`, split as black splits it: the value when the line up to it fits, else
    the hint (a union in parentheses, one operand a line when it does not fit on one; a subscript at its brackets)."""
    indent = INDENT * depth
    tail = "" if value is NO_DEFAULT else f" = {inline(value)}"
    if fits(f"{indent}{name}: {annotation}{tail}"):
        return f"{indent}{name}: {annotation}{tail}"
    if value is not NO_DEFAULT:  # black's right-hand split: the value's own brackets if the line up to them fits,
        head, parts = f"{name}: {annotation} = ", _brackets(value)  # else the value in parentheses
        if parts is not None and fits(f"{indent}{head}{parts[0]}"):
            return statement(head, value, depth)
        if fits(f"{indent}{head}("):
            return "\n".join([f"{indent}{head}(", statement("", value, depth + 1), f"{indent})"])
    node = ast.parse(annotation, mode="eval").body
    if isinstance(node, ast.Name) and not fits(f"{indent}{INDENT}{annotation}"):  # parentheses would not help
        return f"{indent}{name}: {annotation}{tail}"
    if _is_union(node) or isinstance(node, ast.Name):  # black's parentheses around a hint without brackets
        lines = [f"{indent}{name}: (", *_union(annotation, node, depth + 1), f"{indent}){tail}"]
    else:
        lines = _hint(annotation, f"{name}: ", node, depth, tail)
    return "\n".join(lines)


def _hint(text: str, lead: str, node: ast.expr, depth: int, tail: str) -> list[str]:
    indent = INDENT * depth
    line = f"{indent}{lead}{ast.get_source_segment(text, node)}{tail}"
    if fits(line) or not isinstance(node, ast.Subscript):
        return [line]
    elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    if len(elements) > 1:  # exploded with a magic trailing comma
        inner = [line for e in elements for line in _hint(text, "", e, depth + 1, ",")]
    elif _is_union(elements[0]):
        inner = _union(text, elements[0], depth + 1)
    else:  # no trailing comma: `X[a,]` would subscript with a tuple
        inner = _hint(text, "", elements[0], depth + 1, "")
    return [f"{indent}{lead}{ast.get_source_segment(text, node.value)}[", *inner, f"{indent}]{tail}"]


def _union(text: str, node: ast.expr, depth: int) -> list[str]:
    """A union on one line when it fits, else one operand a line, each after its `|`."""
    line = f"{INDENT * depth}{ast.get_source_segment(text, node)}"
    if fits(line):
        return [line]
    operands = _operands(node)
    return _hint(text, "", operands[0], depth, "") + [
        x for op in operands[1:] for x in _hint(text, "| ", op, depth, "")
    ]


def _operands(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_operands(node.left), node.right]
    return [node]


def _is_union(node: ast.expr) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr)


def fits(line: str) -> bool:
    return str_width(line) <= LINE_LENGTH


def _lines(lead: str, value: object, depth: int, tail: str) -> list[str]:
    indent = INDENT * depth
    line = f"{indent}{lead}{inline(value)}{tail}"
    parts = _brackets(value)
    if fits(line) or parts is None:
        return [line]
    opening, items, closing = parts
    comma = "" if closing == "]" and len(items) == 1 else ","  # `X[a,]` would subscript with a tuple
    lines = [f"{indent}{lead}{opening}"]
    for item_lead, item in items:
        lines += _lines(item_lead, item, depth + 1, comma)
    return [*lines, f"{indent}{closing}{tail}"]


def _brackets(value: object) -> tuple[str, list[tuple[str, object]], str] | None:
    """(opening, [(lead, element)], closing) of a value that can be exploded; None for an atom."""
    if isinstance(value, tuple) and value:
        return "(", [("", v) for v in value], ")"
    if isinstance(value, Mapping) and value:
        return "{", [(f"{inline(k)}: ", v) for k, v in value.items()], "}"
    if isinstance(value, Call) and (value.args or value.kwargs):
        items = [("", a) for a in value.args] + [(f"{k}=", v) for k, v in value.kwargs]
        return f"{value.name}{value.brackets[0]}", items, value.brackets[1]
    return None


def _call_items(call: Call) -> list[str]:
    return [inline(a) for a in call.args] + [f"{k}={inline(v)}" for k, v in call.kwargs]


def docstring(text: str, depth: int = 0, attribute: bool = False) -> str:
    """A triple-quoted literal showing `text` at `depth` as black leaves it: lines stripped at the end, later lines
    dedented then indented, padding for a quote at either end, closing quotes on their own line when the last line
    is too long. An attribute's docstring is no docstring to black: it is indented but otherwise kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = _QUOTE_RUN.sub(r'\\"', text.replace("\\", "\\\\"))
    text = "".join(ch if ch in "\n " or ch.isprintable() else _escape_char(ch) for ch in text)
    indent = INDENT * depth
    lines = [line.rstrip() for line in text.split("\n")]
    if not attribute:
        lines = lines[:1] + _dedent(lines[1:])
    body = "\n".join(lines[:1] + [indent + line if line else "" for line in lines[1:]])
    body = f" {body}" if body.startswith('"') else body  # black's padding: no quote touches the triple quotes
    body = f"{body} " if body.endswith('"') else body
    if len(lines) > 1 and not attribute and len(body.rpartition("\n")[2]) + 3 > LINE_LENGTH:
        body += f"\n{indent}"
    return f'"""{body}"""'


def _dedent(lines: list[str]) -> list[str]:
    margin = min((len(line) - len(line.lstrip()) for line in lines if line), default=0)
    return [line[margin:] for line in lines]


def _escape_char(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
