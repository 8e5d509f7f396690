"""Diagnostics as values: every warning and error names the file and line it is about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum


class Code(str, Enum):
    """A finding's short stable kind, as summaries count it; `drops`: input is left out of the output for it
    (the others are repairs that keep everything, or errors, which fail the run anyway)."""

    drops: bool
    about: str

    def __new__(cls, value: str, drops: bool, about: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.drops = drops
        member.about = about
        return member

    def __str__(self) -> str:
        return str.__str__(self)  # the code itself, as in a summary

    # reading a page's blocks and rows (generator/docs/)
    BAD_FRONTMATTER = "bad-frontmatter", False, "frontmatter that is not YAML: not read"
    ORPHAN_TABLE = "orphan-table", True, "a table outside any operation section"
    SKIPPED_ROW = "skipped-row", True, "a row without a field name or a type"
    IRREGULAR_ROW = "irregular-row", False, "a row with too few or too many cells"
    STRAY_SEPARATOR = "stray-separator", False, "a separator row that opens nothing"
    MISSING_INDENT = "missing-indent", False, "a row without data-indent above deeper rows"
    BAD_INDENT = "bad-indent", False, "a data-indent that is no number"
    SEPARATED_INSIDE = "separated-inside", False, "a separator read as opening the inside of the row above"
    INDENT_JUMP = "indent-jump", False, "a row more than one level below the one above"
    # building a page's spec (generator/spec/)
    EMPTY_PAGE = "empty-page", False, "a page without text"
    UNKNOWN_VERSION = "unknown-version", True, "a page under neither v2/ nor v3/"
    DUPLICATE_METHOD = "duplicate-method", True, "a second section for one method"
    NO_REQUEST_TABLE = "no-request-table", True, "a section without a request table"
    SECOND_BODY = "second-body", True, "a second request body row"
    EITHER_OR = "either-or", False, "fields of which one alternative is enough"
    NO_BASE_URL = "no-base-url", False, "a `base_uri` row naming no URL"
    UNDOCUMENTED_PATH_PARAMETER = "undocumented-path-parameter", False, "a URL placeholder without a row"
    NOT_IN_URL = "not-in-url", True, "a top-level row that is no part of the URL"
    RENAMED_PATH_PARAMETER = "renamed-path-parameter", False, "a row read as a URL placeholder of another name"
    NO_RESPONSE_TABLE = "no-response-table", False, "a section without a response table"
    NOTE_AND_FIELDS = "note-and-fields", True, "a response table with both a note and fields"
    UNKNOWN_NOTE = "unknown-note", False, "a response note not understood"
    WEBHOOK_ROW = "webhook-row", True, "a notification row neither headers nor body"
    DUPLICATE_FIELD = "duplicate-field", True, "a field twice at one level"
    INDEXED_FIELD = "indexed-field", False, "a numbered family of keys"
    UNKNOWN_TYPE = "unknown-type", False, "a type cell not understood"
    CHILDREN_OF_SCALAR = "children-of-scalar", False, "a scalar with nested rows"
    JSON_STRING_SHAPE = "json-string-shape", False, "which shape a JSON string's array row was given"
    ENUM_TYPE = "enum-type", True, "an enum value not of the field's type"
    DUPLICATE_ENUM = "duplicate-enum", False, "an enum value listed twice"
    NO_EXAMPLE = "no-example", False, "a PHP example without request values"
    EXAMPLE_MISSING = "example-missing", False, "a field or parameter the PHP example gives no value"
    EXAMPLE_MISMATCH = "example-mismatch", False, "an example value the table disagrees with"
    # errors: the page is not read, or its spec not written
    UNREADABLE = "unreadable", False, "a page the file system refuses"
    TOO_LARGE = "too-large", False, "a page over the size limit"
    NOT_UTF8 = "not-utf8", False, "a page that is not UTF-8"
    OUTSIDE_DOCS = "outside-docs", False, "a symlink leading out of the docs folder"
    UNSAFE_NAME = "unsafe-name", False, "a page path the generated code cannot carry"
    NAME_TOO_LONG = "name-too-long", False, "a page path too long for a file or module name"
    FOREIGN_HOST = "foreign-host", False, "a `base_uri` that is no WeChat Pay host"
    DUPLICATE_KEY = "duplicate-key", False, "two pages documenting one operation or notification"
    UNSAFE_SPEC = "unsafe-spec", False, "a spec unfit to generate from"
    PARSER_FAILURE = "parser-failure", False, "the parser failed on the page"


Warn = Callable[[int, Code, str], None]  # a page builder's `warn(line, code, message)`


class Level(str, Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, counted in summaries by its `code`."""

    file: str
    line: int
    level: Level
    code: Code
    message: str

    @property
    def dropped(self) -> bool:
        """Something of the page is not in the spec because of this finding."""
        return self.code.drops

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.level.value}: {self.message} [{self.code.value}]"


def summarize(diagnostics: Iterable[Diagnostic]) -> str:
    """`3 errors, 12 warnings (irregular-row 9, duplicate-enum 3)`: the line a run ends with."""
    items = list(diagnostics)
    errors = sum(1 for d in items if d.level is Level.ERROR)
    warnings = len(items) - errors
    by_code = Counter(d.code.value for d in items)
    detail = ", ".join(f"{code} {n}" for code, n in sorted(by_code.items()))
    dropped = sum(1 for d in items if d.dropped)
    text = (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} ({dropped} leaving input out)"
    )
    return f"{text}: {detail}" if detail else text


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.level is Level.ERROR for d in diagnostics)


def has_dropped(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.dropped for d in diagnostics)
