"""The micro-syntax inside one table cell: `{attrs}`, field types, enums written in the description.

No markdown library covers these, so they are small regular expressions, each with one job.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# `name {data-required data-indent=2}`: trailing (or misplaced) attribute braces of a cell.
_ATTRS = re.compile(r"\{([^{}]*)\}")
# One attribute: `key`, `key=value`, `key="value with spaces"`, `.class`, `#id`.
_ATTR = re.compile(r"""([.#]?[\w-]+)(?:=("[^"]*"|'[^']*'|[^\s"']+))?""")
_PIPE = re.compile(r"(?<!\\)\|")
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_CODE = re.compile(r"`([^`]*)`")
_SPACES = re.compile(r"\s+")

# `` `A` \| `B` 枚举值之一 `` / `` `X` 枚举值 ``: the run of code spans just before the enum marker.
_ENUM_MARK = re.compile(r"枚举值?(?:之一)?")
# `枚举值：<br/>`A`：meaning<br/>`B`：meaning`: one value at the start of each line after the marker.
_ENUM_LIST = re.compile(r"枚举值?\s*[:：]\s*((?:<br\s*/?>\s*`[^`]+`\s*[:：][^<]*)+)")
_ENUM_ITEM = re.compile(r"<br\s*/?>\s*`([^`]+)`\s*[:：]")
_ENUM_RUN = re.compile(r"((?:`[^`]*`\s*(?:\\?\|\s*)?)+)\s*$")


@dataclass(frozen=True)
class Attrs:
    """The `{…}` of a cell: flags (`data-required`), values (`data-indent=2`), classes (`.im-table-line`)."""

    values: dict[str, str] = field(default_factory=dict)
    classes: frozenset[str] = frozenset()

    def flag(self, key: str) -> bool:
        return key in self.values

    def get(self, key: str) -> str | None:
        return self.values.get(key)


def split_row(line: str) -> list[str]:
    """A table row's cells, split on unescaped pipes; the optional outer pipes are dropped."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip() for cell in _PIPE.split(body)]


def parse_cell(cell: str) -> tuple[str, Attrs]:
    """`name {data-required}` → (`name`, attrs). Braces anywhere in the cell count, so a misplaced
    `create_time  {data-required}` still reads. Only name and type cells carry attributes."""
    values: dict[str, str] = {}
    classes: set[str] = set()

    def take(match: re.Match[str]) -> str:
        for key, value in _ATTR.findall(match.group(1)):
            if key.startswith("."):
                classes.add(key[1:])
            elif key.startswith("#"):
                values["id"] = key[1:]
            else:
                values[key] = value.strip("\"'")
        return " "

    text = _ATTRS.sub(take, cell)
    return _SPACES.sub(" ", text).strip(), Attrs(values, frozenset(classes))


def parse_type(text: str) -> tuple[str, bool]:
    """`object[]` → (`object`, True). An unknown type comes back as written; the caller reports it."""
    text = text.strip().strip("`").lower()
    is_array = text.endswith("[]")
    base = text[:-2] if is_array else text
    return base, is_array


def plain_text(markup: str) -> str:
    """A description without markup: `<br/>` becomes a line break, links keep their text, backticks go."""
    text = re.sub(r"\[!\w+\]", "", markup.replace("\\|", "|"))  # callout markers: `> [!IMPORTANT]`
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = _TAG.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def enum_values(description: str) -> list[str] | None:
    """The values of `` `A` \\| `B` 枚举值之一 `` (or `` `X` 枚举值 ``, space-separated variants), as written."""
    found = _enum_span(description)
    return found[1] if found else None


def without_enum(description: str) -> str:
    """The description less its enum clause, which the schema's `enum` already says."""
    found = _enum_span(description)
    if not found or _ENUM_LIST.search(description):
        return description  # a listed enum explains each value: keep it
    (start, end), _ = found
    return description[:start] + description[end:]


def _enum_span(description: str) -> tuple[tuple[int, int], list[str]] | None:
    listed = _ENUM_LIST.search(description)
    if listed:
        return listed.span(), _ENUM_ITEM.findall(listed.group(1))
    for marker in _ENUM_MARK.finditer(description):
        run = _ENUM_RUN.search(description[: marker.start()])
        if run:
            return (run.start(1), marker.end()), [value.strip() for value in _CODE.findall(run.group(1))]
    return None


def fixed_value(description: str) -> str | None:
    """`固定值`X`` or `固定填`X``: a cell that pins a value (a URI segment, an access point)."""
    match = re.search(r"固定(?:值|填)\s*`([^`]+)`", description)
    return match.group(1) if match else None


def code_spans(description: str) -> list[str]:
    return _CODE.findall(description)
