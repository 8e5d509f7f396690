"""Diagnostics as values: every warning and error names the file and line it is about."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


# Findings whose input is left out of the output (the others are repairs that keep everything).
DROPPING_CODES = frozenset(
    {
        "orphan-table", "skipped-row", "unknown-version", "duplicate-method", "no-request-table", "second-body",
        "not-in-url", "note-and-fields", "webhook-row", "duplicate-field", "enum-type",
    }
)


class Level(str, Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding. `code` is a short stable kind (`irregular-row`, `unknown-type`, …) that summaries count."""

    file: str
    line: int
    level: Level
    code: str
    message: str

    @property
    def dropped(self) -> bool:
        """Something of the page is not in the spec because of this finding."""
        return self.code in DROPPING_CODES

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.level.value}: {self.message} [{self.code}]"


def summarize(diagnostics: Iterable[Diagnostic]) -> str:
    """`3 errors, 12 warnings (irregular-row 9, duplicate-enum 3)`: the line a run ends with."""
    items = list(diagnostics)
    errors = sum(1 for d in items if d.level is Level.ERROR)
    warnings = len(items) - errors
    by_code = Counter(d.code for d in items)
    detail = ", ".join(f"{code} {n}" for code, n in sorted(by_code.items()))
    dropped = sum(1 for d in items if d.dropped)
    text = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} ({dropped} leaving input out)"
    return f"{text}: {detail}" if detail else text


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.level is Level.ERROR for d in diagnostics)


def has_dropped(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.dropped for d in diagnostics)
