"""The PHP example of a page → the literal values it passes (`'json' => [...]`, `'query' => [...]`, …).

The examples are PHP array literals: a tiny recursive-descent reader covers what the pages use
(strings, numbers, booleans, null, nested arrays, `\\json_encode([...])`). Anything else (a variable,
another call) is not a literal: that key is left out of the example, and the caller reports the gap.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .page import Example

# Which call form to read: the synchronous declarative one names the path exactly as the docs do.
PREFERRED_LABELS = ("同步声明式", "同步属性式", "同步纯链式", "异步声明式")
_CALL = re.compile(r"->(get|post|put|patch|delete)(?:Async)?\(\s*\[", re.I)
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<comment>//[^\n]*|\#[^\n]*|/\*.*?\*/)
    | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    | (?P<arrow>=>)
    | (?P<punct>[\[\](),])
    | (?P<word>\\?[A-Za-z_][\w\\]*(?:::[A-Za-z_]\w*)?)
    | (?P<var>\$[A-Za-z_]\w*(?:->\w+\(\))?)
    | (?P<other>\S)
    )""",
    re.X | re.S,
)


class NotLiteral(Exception):
    """The value at this point is computed (a variable, a call): it has no literal to carry."""


def request_literal(examples: list[Example]) -> dict[str, Any] | None:
    """The options array of the request call, with computed values left out."""
    example = _preferred(examples)
    if example is None:
        return None
    match = _CALL.search(example.code)
    if not match:
        return None
    reader = _Reader(example.code, match.end() - 1)
    try:
        value = reader.value()
    except NotLiteral:
        return None
    return value if isinstance(value, dict) else None


def _preferred(examples: list[Example]) -> Example | None:
    by_label = {e.label: e for e in examples}
    preferred = (by_label[label] for label in PREFERRED_LABELS if label in by_label)
    return next(preferred, examples[0] if examples else None)


class _Reader:
    def __init__(self, code: str, position: int) -> None:
        self.tokens = self._tokenize(code, position)
        self.index = 0

    @staticmethod
    def _tokenize(code: str, position: int) -> list[tuple[str, str]]:
        tokens = []
        depth = 0
        for match in _TOKEN.finditer(code, position):
            kind = match.lastgroup or "other"
            if kind == "comment":
                continue
            text = match.group(kind)
            tokens.append((kind, text))
            depth += text in "[(" if kind == "punct" else 0
            depth -= text in "])" if kind == "punct" else 0
            if depth == 0:
                break
        return tokens

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        if self.take()[1] != text:
            raise NotLiteral(text)

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return _php_string(text)
        if kind == "num":
            return float(text) if any(c in text for c in ".eE") else int(text)
        if kind == "punct" and text == "[":
            return self.array()
        if kind == "word":
            return self.word(text)
        self.skip_value()
        raise NotLiteral(text)

    def word(self, text: str) -> Any:
        lowered = text.lower().lstrip("\\")
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered == "null":
            return None
        if lowered == "json_encode" and self.peek()[1] == "(":
            self.take()
            inner = self.value()
            self.expect(")")
            return json.dumps(inner, ensure_ascii=False, separators=(",", ":"))
        self.skip_value()
        raise NotLiteral(text)

    def array(self) -> dict[str, Any] | list[Any]:
        """`[k => v, …]` is a dict, `[v, …]` a list; a computed entry leaves just that entry out."""
        entries: dict[str, Any] = {}
        items: list[Any] = []
        while self.peek()[1] != "]" and self.peek()[0] != "end":
            start = self.index
            try:
                first = self.value()
                if self.peek()[0] == "arrow":
                    self.take()
                    entries[str(first)] = self.value()
                else:
                    items.append(first)
            except NotLiteral:
                self.index = max(self.index, start + 1)
                self.skip_to_entry_end()
            if self.peek()[1] == ",":
                self.take()
        self.expect("]")
        return entries if entries or not items else items

    def skip_value(self) -> None:
        """Step over the rest of a computed value: balanced brackets, up to `,` or the closing bracket."""
        self.skip_to_entry_end()

    def skip_to_entry_end(self) -> None:
        depth = 0
        while self.peek()[0] != "end":
            text = self.peek()[1]
            if depth == 0 and text in ",])":
                return
            depth += text in "[("
            depth -= text in "])"
            self.take()


def _php_string(token: str) -> str:
    body = token[1:-1]
    if token[0] == "'":
        return body.replace("\\'", "'").replace("\\\\", "\\")
    return body.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8") if "\\" in body else body
