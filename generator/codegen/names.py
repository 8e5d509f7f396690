"""Python names for spec things: identifiers, class names, escaping, and collision resolution.

A generated class name is a function of its page alone, so the same page gives the same names in any build (the
examples, an `--include` subset, the whole corpus). Each call path has a *stem*, read off the path:

- the segments in PascalCase, without the `v3` version (`v3/pay/transactions/jsapi` -> `PayTransactionsJsapi`);
  any other version keeps its word (`v2/pay/orderquery` -> `V2PayOrderquery`), so it cannot clash with v3;
- a path parameter reads `By<Name>`: the segment before it says no word twice, so the words it shares with the
  name's end are left out of it (`out-trade-no/{out_trade_no}` -> `ByOutTradeNo`, `id/{transaction_id}` ->
  `ByTransactionId`, `harmony-plan-id/{plan_id}` -> `HarmonyByPlanId`), and the name's first words when that
  segment says them (`stocks/{stock_id}` -> `StocksById`); a trailing slash adds nothing;
- a notification's stem is its event type (`TRANSACTION.SUCCESS` -> `TransactionSuccess`); APIv2 notifications,
  keyed by page name, keep `V2` (`V2RefundProcessed`).

The classes of a path are `<stem>Resource`, `<stem><Method>Params` (keyword arguments), `<stem><Method>Response`
and `<stem>Event`; a schema part is named after the class that holds it and its own field
(`PayTransactionsJsapiPostRequestAmount`, `TransactionSuccessEventPayer`), taking more of the fields
leading to it only when the page already has that name (`…ResponseViolationRecordsViolationRecords`), and `1`, `2`
for the variants of a `oneOf`. Pages that still spell the same stem (`a-b` and `a_b`) are ranked among those pages
alone, by path (`AB`, `AB2`): never by build order, nor by any other page. Within a spec's module, names that still
repeat take a rank (`unique`), in the spec's own order. The `names` option renames any class, or every class of
a call path.
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
_PART = "."  # separates the parts of a draft class name: no class name holds it


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
    return _pascal_words(words(text)) or "Unnamed"


def _pascal_words(parts: list[str]) -> str:
    name = "".join(w[:1].upper() + w[1:] for w in parts)
    return f"N{name}" if name[:1].isdigit() else name


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
    """The class-name stem of every call path: its own `stem`; paths that spell the same stem are ranked among
    themselves, in the order of the paths (`a-b` keeps `AB`, `a_b` takes `AB2`)."""
    spelling: dict[str, list[str]] = {}
    for path in sorted(set(call_paths)):
        spelling.setdefault(stem(path), []).append(path)
    return {
        path: name if rank == 1 else f"{name}{rank}"
        for name, paths in spelling.items()
        for rank, path in enumerate(paths, 1)
    }


def stem(call_path: str) -> str:
    """The stem of one call path, from that path alone (the rule above)."""
    segments = call_path.split("/")
    if segments[0] == "webhooks":
        segments = segments[1:]
    if segments[0] == "v3" and len(segments) > 1:
        segments = segments[1:]
    said: list[str] = []  # the stem's words
    before: list[str] = []  # the words of the literal segment just before, which a path parameter may repeat
    for segment in filter(None, segments):
        name = words(segment)
        if not is_placeholder(segment):
            said += name
            before = name
            continue
        if name and before[-len(name) :] == name:  # `out-trade-no/{out_trade_no}`, `harmony-plan-id/{plan_id}`
            del said[-len(name) :]
        elif before and name[-len(before) :] == before:  # `id/{transaction_id}`
            del said[-len(before) :]
        else:
            name = _unsaid(name, before)
        said += ["by", *name]
        before = []
    return _pascal_words(said) or "Root"  # the path `/`


def _unsaid(name: list[str], before: list[str]) -> list[str]:
    """A path parameter's words without those the segment before says, plural or not (`stocks/{stock_id}`: `id`)."""
    if before:
        forms = [before, [*before[:-1], before[-1].removesuffix("s")], [*before[:-1], before[-1].removesuffix("es")]]
        for said in forms:
            if len(name) > len(said) and name[: len(said)] == said:
                return name[len(said) :]
    return name


def is_placeholder(segment: str) -> bool:
    """A `{name}` segment of a call path."""
    return segment.startswith("{") and segment.endswith("}")


def part(owner: str, key: str) -> str:
    """The draft name of the class for field `key`'s schema within the class drafted `owner` (`ClassNames` makes
    the class name of it)."""
    return f"{owner}{_PART}{pascal(key)}"


class ClassNames:
    """Hands out class names unique among those it handed out and `taken`; `overrides` renames by default name (the
    name the class would have without it)."""

    def __init__(self, overrides: Mapping[str, str] | None = None, taken: Iterable[str] = ()) -> None:
        self._overrides = dict(overrides or {})
        self._taken: set[str] = set(taken)

    def claim(self, draft: str) -> str:
        """The class name for `draft` (an operation's class name, then the fields leading to a schema part, as
        `part` writes them): the class name and the last field; when that is taken, more of the fields."""
        top, *fields = draft.split(_PART)
        names = [top + "".join(fields[-depth:]) for depth in range(1, len(fields) + 1)] or [top]
        default = next((name for name in names if name not in self._taken), names[0])
        if default not in self._overrides:
            return _claim(default, self._taken)
        self._taken.add(default)  # left unused: no other class moves into the name of one renamed
        return _claim(self._overrides[default], self._taken)
