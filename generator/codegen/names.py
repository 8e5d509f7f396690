"""Python names for spec things: identifiers, class names, escaping, and collision resolution.

Class names are made from a *stem* per call path (`v3/pay/transactions/jsapi` -> `TransactionsJsapi`) followed by
the method and the place in the schema (`TransactionsJsapiPostRequestAmount`). The rule for stems, chosen so that a
page keeps its class names when other pages come and go:

- a call path has three candidate stems, each naming more of the path: without the version and the first segment
  (`TransactionsJsapi`), without the version (`PayTransactionsJsapi`), the whole path (`V3PayTransactionsJsapi`);
- it takes the first candidate that is no candidate of any *other* call path, at any level.

So a path's stem depends only on the paths that share a candidate with it, never on the rest of the API, nor on
the order of the specs: a new page changes an existing page's names only when the two truly collide, and then
both sides take more of their path (neither keeps the short name, since who came first is no fact the specs
hold). The chosen stems are distinct: a stem taken by one path is a candidate of that path, which every other
path avoids. Whole paths that spell the same stem (`a-b` and `a_b`) are told apart by their rank among those
paths alone. Within a spec's module, names that still repeat take a rank (`unique`), in the spec's own order.
"""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from collections.abc import Iterable, Mapping

KEYWORDS = frozenset(keyword.kwlist)
BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))
METHOD_PARAMETERS = frozenset({"self"})  # a keyword argument named so clashes with the method's own parameter

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^0-9A-Za-z]+")


def words(text: str) -> list[str]:
    """`product-coupons` / `getTransferBill` / `Wechatpay-Serial` / `TRANSACTION.SUCCESS` -> lower-case words
    (compatibility characters folded first, as Python folds identifiers: `ｍｃｈｉｄ` -> `mchid`)."""
    spaced = _WORD_BOUNDARY.sub(" ", unicodedata.normalize("NFKC", text))
    return [w.lower() for w in _NOT_WORD.split(spaced) if w]


def snake(text: str) -> str:
    """A snake_case identifier; a leading digit gets an `n` so that `2019` stays readable as `n2019`."""
    name = "_".join(words(text)) or "unnamed"
    return f"n{name}" if name[0].isdigit() else name


def pascal(text: str) -> str:
    """A PascalCase class-name part: `product-coupons` -> `ProductCoupons`, `{stock_id}` -> `StockId`."""
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or "Unnamed"
    return f"N{name}" if name[0].isdigit() else name


def escape(name: str, reserved: Iterable[str] = ()) -> str:
    """`name` with a trailing underscore when it is a keyword or otherwise taken (`class` -> `class_`)."""
    taken = KEYWORDS | frozenset(reserved)
    while name in taken:
        name += "_"
    return name


def attribute(segment: str) -> str:
    """The attribute for a path segment: snake_case, keywords and builtins escaped (`global` -> `global_`)."""
    return escape(snake(segment), BUILTINS)


def argument(key: str, reserved: Iterable[str] = ()) -> str:
    """A keyword argument for a wire name: the name itself when it is an identifier, else snake_case; escaped, and
    never `self`."""
    return escape(key if is_identifier(key) else snake(key), METHOD_PARAMETERS | frozenset(reserved))


def is_identifier(name: str) -> bool:
    """A name Python keeps as written: no keyword, and NFKC-stable (Python folds `ﬁle` to `file` when it parses
    it, so a table keyed by the unfolded name would no longer match the code)."""
    return name.isidentifier() and name not in KEYWORDS and unicodedata.normalize("NFKC", name) == name


def unique(names: Iterable[str]) -> list[str]:
    """The names, later duplicates suffixed by their rank (`amount`, `amount_2`): deterministic, none dropped."""
    taken: set[str] = set()
    return [_claim(name, taken) for name in names]


def _claim(name: str, taken: set[str]) -> str:
    candidate, rank = name, 1
    while candidate in taken:
        rank += 1
        candidate = f"{name}_{rank}" if name.islower() else f"{name}{rank}"  # snake_case or ClassName
    taken.add(candidate)
    return candidate


def stems(call_paths: Iterable[str]) -> dict[str, str]:
    """The class-name stem of every call path, by the rule above."""
    levels = {path: candidates(path) for path in sorted(set(call_paths))}
    holders: dict[str, set[str]] = {}
    for path, names in levels.items():
        for name in names:
            holders.setdefault(name, set()).add(path)
    chosen = {}
    for path, names in levels.items():
        free = [name for name in names if holders[name] == {path}]
        chosen[path] = free[0] if free else _ranked(names[-1], sorted(holders[names[-1]]), path)
    return chosen


def candidates(call_path: str) -> tuple[str, ...]:
    """The stems a call path may take, shortest first."""
    parts = [pascal(segment) for segment in call_path.split("/")]
    levels = ("".join(parts[2:]), "".join(parts[1:]), "".join(parts))
    return tuple(dict.fromkeys(level for level in levels if level))  # `v2/x` has no short stem


def _ranked(name: str, paths: list[str], path: str) -> str:
    rank = paths.index(path) + 1
    return name if rank == 1 else f"{name}{rank}"


class ClassNames:
    """Hands out class names unique among those it handed out and `taken`; `overrides` renames by default name."""

    def __init__(self, overrides: Mapping[str, str] | None = None, taken: Iterable[str] = ()) -> None:
        self._overrides = dict(overrides or {})
        self._taken: set[str] = set(taken)

    def claim(self, default: str) -> str:
        return _claim(self._overrides.get(default, default), self._taken)
