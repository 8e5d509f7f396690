"""A doc page → its frontmatter and operation sections, each with its tables, PHP examples and links.

markdown-it-py finds the block structure (front matter, headings, tables, fences, paragraphs) with line
maps. Inline parsing is switched off, and the GFM table rule is replaced by a lighter one that only marks
a table's lines: every cell is read by `cells`, so per-cell tokens would be work thrown away (they were
two thirds of the parsing time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from ..report import Code, Diagnostic, Level
from ..spec.io import SpecError, load_yaml
from .cells import plain_text

_DELIMITER_ROW = re.compile(r"\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*")


def _table_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A pipe table: a `|` header line, a delimiter line, then rows up to a blank line; one token for it all."""
    if start + 2 > end or state.sCount[start] - state.blkIndent >= 4:
        return False
    header = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
    delimiter = state.src[state.bMarks[start + 1] + state.tShift[start + 1] : state.eMarks[start + 1]]
    if not header.startswith("|") or not _DELIMITER_ROW.fullmatch(delimiter):
        return False
    if silent:
        return True
    line = start + 2
    while line < end and not state.isEmpty(line) and state.sCount[line] - state.blkIndent < 4:
        line += 1
    token = state.push("pipe_table", "table", 0)
    token.map = [start, line]
    state.line = line
    return True


_MD = MarkdownIt("commonmark").use(front_matter_plugin).disable("inline")
_MD.block.ruler.before("paragraph", "pipe_table", _table_rule, {"alt": ["paragraph"]})

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
    # The lines markdown-it sees: it breaks only at \n (after \r\n, \r), where str.splitlines also breaks at U+2028
    # and other separators: a row hidden inside another line of the rendered page must stay hidden here too.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
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
        elif kind == "pipe_table" and token.map:
            self._read_table(*token.map)
        elif kind == "fence":
            self._read_fence(token)

    def _line(self, token: Token) -> int:
        return token.map[0] + 1 if token.map else 0

    def _warn(self, line: int, code: Code, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, Level.WARNING, code, message))

    def _read_frontmatter(self, token: Token) -> None:
        try:
            data = load_yaml(token.content, "frontmatter")
        except SpecError as exc:  # an alias bomb among them: refused, not expanded
            self._warn(1, Code.BAD_FRONTMATTER, f"{exc}: the frontmatter is not read")
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

    def _read_table(self, start: int, end: int) -> None:
        header = self.lines[start].strip().strip("|").split("|")[0].strip()
        kind = TABLE_KINDS.get(header)
        if kind is None:
            return  # overview tables of index pages
        if not self.sections:
            self._warn(start + 1, Code.ORPHAN_TABLE, "table outside any operation section: skipped")
            return
        rows = [(line + 1, self.lines[line]) for line in range(start + 2, end)]
        self.sections[-1].tables.append(Table(kind, start + 1, rows))

    def _read_fence(self, token: Token) -> None:
        if not self.sections or not token.info.startswith("php"):
            return
        label = _FENCE_LABEL.search(token.info)
        self.sections[-1].examples.append(
            Example(label.group(1) if label else "", token.content, self._line(token) + 1)
        )
