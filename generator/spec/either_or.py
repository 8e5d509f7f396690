"""Either-or fields of a request: alternatives that a page marks required although the service wants only one.

Three rules find a group at one level of a request (its body's objects, or its query), each named in the report:
- `text`: a row's description or the section's text says 二选一, 任选其一, 至少填一, … (the alternatives are that
  row and the siblings the text names, or every row at that level so marked);
- `order identifiers` / `refund identifiers`: `transaction_id` and `out_trade_no` both required name one order;
  with `refund_id` and `out_refund_no` also required the page is a refund query, which takes any one of the four;
- `merchant modes`: `mchid` (or `appid`) and `sp_mchid` (or `sp_appid`) both required merge the direct mode and
  the partner mode: the direct mode's required keys or the partner mode's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..docs.cells import plain_text
from ..docs.rows import Field

# A choice among fields (二选一, 两者选其一, 任选其一, 两者必填其一, 至少填一个): alone in a row, the other rows so
# marked are its alternatives. `其中之一` / `填其中一个` also say "one of the values", so they count only
# where the text names the sibling fields.
_CHOICE = re.compile(
    r"[二两三四五多](?:者|个)?中?选其?一|任选其?一|必填其一|至少(?:需要?)?(?:填|填写|传|传入|提供)(?:其中)?一"
)
_ONE_OF = re.compile(r"其中之一|(?:填|填写|传|传入|提供)其中一")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLAUSE = re.compile(r"[。；;\n]")
# Priority order of WeChat Pay's refund query: the first one given is used.
_REFUND_IDS = ("refund_id", "out_refund_no", "transaction_id", "out_trade_no")
_ORDER_IDS = ("transaction_id", "out_trade_no")
_DIRECT_MODE = ("mchid", "appid")
_PARTNER_MODE = ("sp_mchid", "sp_appid", "sub_mchid", "sub_appid")


@dataclass(frozen=True)
class EitherOr:
    """One group: each alternative is the keys given together; one alternative is enough."""

    alternatives: tuple[tuple[str, ...], ...]
    rule: str
    line: int  # the earliest row of the group

    @property
    def keys(self) -> set[str]:
        return {key for alternative in self.alternatives for key in alternative}

    def describe(self) -> str:
        return " or ".join("{" + ", ".join(alternative) + "}" for alternative in self.alternatives)


def either_or_groups(fields: list[Field], section_text: str) -> list[EitherOr]:
    """The groups at one level, disjoint: text first, then identifiers, then merchant modes."""
    groups: list[EitherOr] = []
    for group in [*_text_groups(fields, section_text), *_identifier_groups(fields), *_mode_groups(fields)]:
        if not any(group.keys & taken.keys for taken in groups):
            groups.append(group)
    return groups


def apply_to_object(schema: dict[str, Any], groups: list[EitherOr]) -> None:
    """JSON Schema's own form: the alternatives leave `required`; `anyOf` of their `required`s (`allOf` of several)."""
    keys = {key for group in groups for key in group.keys}
    required = [key for key in schema.get("required", []) if key not in keys]
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)
    forms = [{"anyOf": [{"required": list(alternative)} for alternative in group.alternatives]} for group in groups]
    if len(forms) == 1:
        schema.update(forms[0])
    else:
        schema["allOf"] = forms


def _text_groups(fields: list[Field], section_text: str) -> list[EitherOr]:
    names = {field.name: field for field in fields}
    found: list[tuple[set[str], str]] = []  # the alternatives, and the text that says so
    unnamed: list[tuple[str, str]] = []
    for field in fields:
        text = plain_text(field.description)
        marker = _marker(text)
        if marker is None:
            continue
        source = f"text: `{marker.group()}` in `{field.name}`"
        mentioned = _mentioned(text, names) - {field.name}
        if mentioned:
            found.append(({field.name} | mentioned, source))
        elif marker.re is _CHOICE:
            unnamed.append((field.name, source))
    if len(unnamed) > 1:
        found.append(({name for name, _ in unnamed}, unnamed[0][1]))
    for clause in _CLAUSE.split(plain_text(section_text)):
        marker = _marker(clause)
        mentioned = _mentioned(clause, names)
        if marker and len(mentioned) > 1:
            found.append((mentioned, f"text: `{marker.group()}` in the section's text"))
    order = [field.name for field in fields]
    return [_group([(name,) for name in order if name in members], source, names) for members, source in _merged(found)]


def _marker(text: str) -> re.Match[str] | None:
    return _CHOICE.search(text) or _ONE_OF.search(text)


def _mentioned(text: str, names: dict[str, Field]) -> set[str]:
    return {word for word in _WORD.findall(text) if word in names}


def _merged(found: list[tuple[set[str], str]]) -> list[tuple[set[str], str]]:
    """Sets sharing a name are one group (`a` says 二选一 with `b`, and `b` with `a`); the first text names it."""
    merged: list[tuple[set[str], str]] = []
    for members, source in found:
        overlapping = [entry for entry in merged if entry[0] & members]
        for entry in overlapping:
            merged.remove(entry)
            members = members | entry[0]
        merged.append((members, overlapping[0][1] if overlapping else source))
    return merged


def _identifier_groups(fields: list[Field]) -> list[EitherOr]:
    required = _required(fields)
    if not set(_ORDER_IDS) <= required:
        return []
    names = {field.name: field for field in fields}
    if set(_REFUND_IDS) <= required:
        return [_group([(key,) for key in _REFUND_IDS], "refund identifiers: a refund query takes any one", names)]
    return [_group([(key,) for key in _ORDER_IDS], "order identifiers: either names the order", names)]


def _mode_groups(fields: list[Field]) -> list[EitherOr]:
    required = _required(fields)
    direct = tuple(key for key in _DIRECT_MODE if key in required)
    partner = tuple(key for key in _PARTNER_MODE if key in required)
    if not direct or not required & {"sp_mchid", "sp_appid"}:
        return []
    names = {field.name: field for field in fields}
    return [_group([direct, partner], "merchant modes: the direct mode's keys or the partner mode's", names)]


def _required(fields: list[Field]) -> set[str]:
    return {field.name for field in fields if field.required}


def _group(alternatives: list[tuple[str, ...]], rule: str, names: dict[str, Field]) -> EitherOr:
    line = min(names[key].line for alternative in alternatives for key in alternative)
    return EitherOr(tuple(alternatives), rule, line)
