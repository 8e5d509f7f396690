"""A doc page → its frontmatter and operation sections, each with its tables, PHP examples and links.

markdown-it-py finds the block structure (front matter, headings, tables, fences, paragraphs) with line
maps; inline parsing is switched off because every cell is read by `cells`, and it halves the cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from ..report import Diagnostic, Level
from .cells import plain_text

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MD = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).disable("inline")

METHODS = ("get", "post", "put", "patch", "delete")
_ANCHOR = re.compile(r"\{#([\w-]+)\}\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+)\)")
_FENCE_LABEL = re.compile(r"\[([^\]]+)\]")

# The first header cell names what a table is.
TABLE_KINDS = {"请求参数": "request", "返回字典": "response", "应答规范": "reply", "异常字典": "errors"}


@dataclass
class Table:
    kind: str
    line: int  # 1-based line of the header row
    rows: list[tuple[int, str]]  # (1-based line, raw source line) of each body row


@dataclass
class Example:
    label: str  # `同步声明式`, `处理程序`, …
    code: str
    line: int


@dataclass
class Section:
    """One documented operation (or notification): a `# … {#post}` or a `## … {#get}` of a mix page."""

    method: str
    title: str
    line: int
    description: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    deprecated: bool = False

    def table(self, kind: str) -> Table | None:
        return next((t for t in self.tables if t.kind == kind), None)


@dataclass
class Page:
    path: str  # relative to the docs root, posix
    frontmatter: dict[str, object]
    sections: list[Section]
    diagnostics: list[Diagnostic]


def read_page(path: str, text: str) -> Page:
    """Tokenize and walk the page once, opening a section at each operation heading."""
    lines = text.splitlines()
    reader = _Reader(path, lines)
    for token in _MD.parse(text):
        reader.feed(token)
    return Page(path, reader.frontmatter, reader.sections, reader.diagnostics)


class _Reader:
    def __init__(self, path: str, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.frontmatter: dict[str, object] = {}
        self.sections: list[Section] = []
        self.diagnostics: list[Diagnostic] = []
        self._heading: Token | None = None
        self._paragraph: Token | None = None
        self._table: Table | None = None

    def feed(self, token: Token) -> None:
        kind = token.type
        if kind == "front_matter":
            self._read_frontmatter(token)
        elif kind == "heading_open":
            self._heading = token
        elif kind == "paragraph_open":
            self._paragraph = token
        elif kind == "inline" and self._heading is not None:
            self._open_section(self._heading, token.content)
            self._heading = None
        elif kind == "inline" and self._paragraph is not None:
            self._read_paragraph(token.content)
            self._paragraph = None
        elif kind == "table_open":
            self._table = Table("", self._line(token), [])
        elif kind == "tr_open" and self._table is not None:
            self._add_row(token)
        elif kind == "table_close":
            self._close_table()
        elif kind == "fence":
            self._read_fence(token)

    def _line(self, token: Token) -> int:
        return token.map[0] + 1 if token.map else 0

    def _warn(self, line: int, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Level.WARNING, code, message))

    def _read_frontmatter(self, token: Token) -> None:
        try:
            data = yaml.load(token.content, Loader=_Loader)
        except yaml.YAMLError as exc:
            self._warn(1, "bad-frontmatter", f"frontmatter is not valid YAML ({exc.__class__.__name__})")
            return
        if isinstance(data, dict):
            self.frontmatter = data

    def _open_section(self, heading: Token, content: str) -> None:
        anchor = _ANCHOR.search(content)
        method = anchor.group(1).lower() if anchor else ""
        if method not in METHODS:
            return  # `{#mix}` titles, plain headings
        title = _ANCHOR.sub("", content).strip()
        if "$frontmatter.title" in title:
            title = str(self.frontmatter.get("title", ""))
        self.sections.append(Section(method, plain_text(title), self._line(heading)))

    def _read_paragraph(self, content: str) -> None:
        section = self.sections[-1] if self.sections else None
        if section is None:
            return
        if "{.im-deprecated}" in content:
            section.deprecated = True
            return
        if content.startswith((":::", "{.")):
            return  # container fences and table markers
        links = [url for label, url in _LINK.findall(content) if "官方" in label]
        if links and content.lstrip().startswith("参阅"):
            section.links.extend(links)
            return
        if not section.tables:
            content = content.replace("{{ $frontmatter.description }}", str(self.frontmatter.get("description", "")))
            section.description.append(content)

    def _add_row(self, token: Token) -> None:
        assert self._table is not None and token.map is not None
        line = token.map[0]
        raw = self.lines[line]
        if not self._table.kind:
            header = raw.strip().strip("|").split("|")[0].strip()
            self._table.kind = TABLE_KINDS.get(header, "other")
        elif not re.fullmatch(r"\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*", raw):
            self._table.rows.append((line + 1, raw))

    def _close_table(self) -> None:
        table, self._table = self._table, None
        if table is None or table.kind == "other":
            return
        if not self.sections:
            self._warn(table.line, "orphan-table", "table outside any operation section: skipped")
            return
        self.sections[-1].tables.append(table)

    def _read_fence(self, token: Token) -> None:
        if not self.sections or not token.info.startswith("php"):
            return
        label = _FENCE_LABEL.search(token.info)
        self.sections[-1].examples.append(
            Example(label.group(1) if label else "", token.content, self._line(token) + 1)
        )
