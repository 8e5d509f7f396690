"""Python names for spec things: identifiers, class names, escaping, and collision resolution."""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Iterable, Mapping

KEYWORDS = frozenset(keyword.kwlist)
BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^0-9A-Za-z]+")


def words(text: str) -> list[str]:
    """`product-coupons` / `getTransferBill` / `Wechatpay-Serial` / `TRANSACTION.SUCCESS` -> lower-case words."""
    spaced = _WORD_BOUNDARY.sub(" ", text)
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
    """A keyword argument for a wire name: the name itself when it is an identifier, else snake_case; escaped."""
    return escape(key if is_identifier(key) else snake(key), reserved)


def is_identifier(name: str) -> bool:
    return name.isidentifier() and name not in KEYWORDS


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


class ClassNames:
    """Hands out class names unique across the whole package; `overrides` renames by default name."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self._overrides = dict(overrides or {})
        self._taken: set[str] = set()

    def claim(self, default: str) -> str:
        return _claim(self._overrides.get(default, default), self._taken)
