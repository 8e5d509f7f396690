"""Flat table rows → a field tree.

Rows nest by `data-indent`. A `{colspan=3 .im-table-line}` separator row opens the decoded inside of the
string field above it (JSON-in-a-string, an encrypted resource, a multipart `meta`); a separator followed
by a name already seen at that level starts another variant of that field (→ `oneOf`). Full-width
rows (`空字符串(无返回内容)`, `文件流(…)`, `` `30x`跳转 ``) are notes about the whole response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..report import Code, Diagnostic, Level
from .cells import Attrs, parse_cell, parse_type, split_row
from .page import Table

_INDENT = re.compile(r"data-indent=(\d+)")


@dataclass
class Field:
    name: str
    type: str  # `string`, `integer`, …, or the unknown word as written (reported by the caller)
    is_array: bool
    required: bool
    description: str  # the cell as written (markup kept: enums are read from it)
    attrs: Attrs  # of the type cell: data-encrypted, data-encoded, …
    line: int
    indent: int
    children: list[Field] = field(default_factory=list)
    inside: list[Field] | None = None  # the decoded inside of a string field
    alternatives: list[Field] = field(default_factory=list)  # later variants of this field, after separators


@dataclass
class Note:
    text: str
    line: int


@dataclass
class FieldTable:
    fields: list[Field]
    notes: list[Note]


@dataclass
class _Frame:
    """Where rows of one indent go: a field's children, or one variant of its decoded inside."""

    indent: int
    target: list[Field]
    owner: Field | None = None


def build_table(table: Table, path: str, diagnostics: list[Diagnostic]) -> FieldTable:
    builder = _TreeBuilder(path, diagnostics)
    following = [_explicit_indent(raw) for _, raw in table.rows[1:]] + [None]
    for (line, raw), next_indent in zip(table.rows, following):
        builder.add(line, raw, next_indent)
    builder.finish()
    return FieldTable(builder.root, builder.notes)


class _TreeBuilder:
    def __init__(self, path: str, diagnostics: list[Diagnostic]) -> None:
        self.path = path
        self.diagnostics = diagnostics
        self.root: list[Field] = []
        self.notes: list[Note] = []
        self.stack: list[_Frame] = [_Frame(0, self.root)]
        self.last: Field | None = None
        self.separator_line = 0  # a separator waits for the next row to tell what it separates

    def warn(self, line: int, code: Code, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Level.WARNING, code, message))

    def add(self, line: int, raw: str, next_indent: int | None = None) -> None:
        cells = split_row(raw)
        name, name_attrs = parse_cell(cells[0])
        if "im-table-line" in name_attrs.classes:
            self.separator_line = line
        elif name_attrs.get("colspan") and len(cells) == 1:
            self.notes.append(Note(name, line))
        elif not name:
            self.warn(line, Code.SKIPPED_ROW, "row without a field name: skipped")
        else:
            self.field_row(line, name, name_attrs, cells, next_indent)

    def finish(self) -> None:
        if self.separator_line:
            self.warn(self.separator_line, Code.STRAY_SEPARATOR, "separator row at the end of the table: ignored")

    def field_row(self, line: int, name: str, name_attrs: Attrs, cells: list[str], next_indent: int | None) -> None:
        if len(cells) < 2:
            self.warn(line, Code.SKIPPED_ROW, f"row `{name}` has no type cell: skipped")
            return
        if len(cells) == 2:
            self.warn(line, Code.IRREGULAR_ROW, f"row `{name}` has no description cell")
            cells = [*cells, ""]
        elif len(cells) > 3:
            self.warn(
                line, Code.IRREGULAR_ROW, f"row `{name}` has {len(cells)} cells: the extra ones are read as description"
            )
            cells = [cells[0], cells[1], " | ".join(cells[2:])]
        type_text, type_attrs = parse_cell(cells[1])
        base, is_array = parse_type(type_text)
        indent = self.indent_of(line, name, name_attrs, next_indent)
        required = name_attrs.flag("data-required") or type_attrs.flag("data-required")
        self.place(Field(name, base, is_array, required, cells[2], type_attrs, line, indent))

    def indent_of(self, line: int, name: str, attrs: Attrs, next_indent: int | None) -> int:
        value = attrs.get("data-indent")
        if value is None:
            if next_indent is not None and next_indent >= 2:
                # the row's attribute was forgotten: it is the parent of the deeper rows below it
                self.warn(
                    line,
                    Code.MISSING_INDENT,
                    f"row `{name}` has no data-indent above rows of indent {next_indent}: read as {next_indent - 1}",
                )
                return next_indent - 1
            return 0
        if not (value.isascii() and value.isdigit()) or len(value) > 3:
            self.warn(line, Code.BAD_INDENT, f"row `{name}` has data-indent={value!r}: read as 0")
            return 0
        return int(value)

    def place(self, node: Field) -> None:
        owner = self.decoded_owner(node) if self.separator_line else None
        if owner is not None:
            self.separator_line = 0
            owner.inside = []
            # `last` has no rows of its own: its children frame on top of the stack gives way to the inside
            self.stack[-1] = _Frame(node.indent, owner.inside, owner)
        frame = self.frame_for(node)
        if self.separator_line:
            self.separator_line = 0
            if self.add_alternative(frame, node):
                return
            self.warn(
                node.line,
                Code.STRAY_SEPARATOR,
                f"separator before `{node.name}` opens no decoded field and no variant: ignored",
            )
        frame.target.append(node)
        self.push(node)

    def decoded_owner(self, node: Field) -> Field | None:
        """The string field whose inside the rows after a separator are: the row above it, unless that row
        is a plain string and a marked (encrypted, encoded) sibling above it still waits for its inside,
        as where a page lists `original_type` between `ciphertext` and the decrypted resource."""
        last = self.last
        if last is None or not _can_hold_inside(last):
            return None
        siblings = self.stack[-2].target if len(self.stack) > 1 else []
        waiting = [f for f in siblings if f is not last and _is_marked(f) and _can_hold_inside(f)]
        owner = last if _is_marked(last) or not waiting else waiting[-1]
        if owner is not last:
            self.warn(
                self.separator_line,
                Code.SEPARATED_INSIDE,
                f"separator after `{last.name}` read as opening the inside of `{owner.name}` above it",
            )
        if node.indent > owner.indent or (node.indent == owner.indent and _is_marked(owner)):
            return owner
        return None

    def push(self, node: Field) -> None:
        self.stack.append(_Frame(node.indent + 1, node.children, node))
        self.last = node

    def add_alternative(self, frame: _Frame, node: Field) -> bool:
        """A separator then a name already at this level: another variant of that field."""
        same = next((f for f in frame.target if f.name == node.name), None)
        if same is None:
            return False
        same.alternatives.append(node)
        self.push(node)
        return True

    def frame_for(self, node: Field) -> _Frame:
        """Close the frames deeper than the row; a row deeper than its parent's children is an indent jump."""
        while len(self.stack) > 1 and self.stack[-1].indent > node.indent:
            self.stack.pop()
        top = self.stack[-1]
        if node.indent > top.indent:
            self.warn(
                node.line,
                Code.INDENT_JUMP,
                f"row `{node.name}` jumps to indent {node.indent} under a row of indent {top.indent - 1}: nested under it",
            )
        return top


def _explicit_indent(raw: str) -> int | None:
    match = _INDENT.search(raw)
    return int(match.group(1)) if match else None


def _can_hold_inside(field: Field) -> bool:
    return field.type == "string" and not field.children and field.inside is None


def _is_marked(field: Field) -> bool:
    return any(key.startswith(("data-encoded", "data-encrypted")) for key in field.attrs.values)
