"""API changes between two spec sets, classified for a user of the generated SDK.

Each side is flattened into operations (`POST /v3/pay/transactions/jsapi`, `webhook TRANSACTION.SUCCESS`), each
holding facts, one per field: `(location, pointer) -> Field(type, required, enum, encrypted, ...)`, where location
says which message the field is in (`request body`, `response body`, `notification body`, ...) and pointer is a
dotted path with `[]` for array items (`detail.goods_detail[].quantity`). A JSON-in-a-string or encrypted field's
inner structure (`contentSchema`) is flattened below that field.

A change is breaking when it narrows what the user may send (request, reply to a notification) or widens what the
user must handle (response, notification): a new required request field, a removed field, a narrowed request enum, a
widened response enum, a changed type or encryption. Descriptions, examples, titles and links are documentation-only.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from generator.spec import extensions as ext
from generator.spec.io import SpecFile

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON = "application/json"


class Impact(str, Enum):
    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"
    DOCUMENTATION = "documentation"


@dataclass(frozen=True)
class Field:
    """What the SDK user sees of one field; `doc` (description, example) is compared apart."""

    type: str
    required: bool
    enum: tuple[str, ...] | None
    encrypted: str | None
    client_filled: bool
    doc: tuple[str, ...] = field(compare=False)


@dataclass
class Operation:
    key: str  # identity across versions: `POST /v3/x/{}` (placeholder names dropped) or `webhook EVENT`
    title: str  # shown: `POST /v3/x/{id}` or `webhook EVENT`
    page: str
    notification: bool
    traits: dict[str, str]  # operation-level facts the SDK depends on: media types, client cert, host...
    docs: dict[str, str]  # summary, description, links, examples
    fields: dict[tuple[str, str], Field]


@dataclass(frozen=True)
class Change:
    kind: str  # operation-added, field-removed, type-changed, enum-changed, doc-changed, ...
    impact: Impact
    operation: str
    page: str
    where: str = ""  # `request body amount.currency`, or an operation trait such as `request media type`
    old: str | None = None
    new: str | None = None

    @property
    def id(self) -> str:
        """Stable across runs and machines: the same change of the same field always has the same id."""
        return hashlib.sha1(f"{self.kind}\0{self.operation}\0{self.where}".encode()).hexdigest()[:8]

    @property
    def subject(self) -> str:
        return f"{self.operation} {self.where}".rstrip()

    def detail(self) -> str:
        """`old -> new` on one line."""
        if self.old is None:
            text = self.new or ""
        elif self.new is None:
            text = self.old
        else:
            text = f"{self.old} -> {self.new}"
        return " ".join(text.split())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "impact": self.impact.value,
            "operation": self.operation,
            "where": self.where,
            "page": self.page,
            "old": self.old,
            "new": self.new,
        }


# --------------------------------------------------------------------------------------------- flattening


def flatten(specs: Iterable[SpecFile]) -> dict[str, Operation]:
    """Every operation and notification of a spec set, by identity."""
    operations: dict[str, Operation] = {}
    for spec in specs:
        page = str(spec.data.get(ext.PAGE) or spec.name)
        for path, item in (spec.data.get("paths") or {}).items():
            for method, op in _methods(item):
                key = f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"
                operations[key] = _operation(key, f"{method.upper()} {path}", page, op, notification=False)
        for event, item in (spec.data.get("webhooks") or {}).items():
            for _, op in _methods(item):
                key = f"webhook {event}"
                operations[key] = _operation(key, key, page, op, notification=True)
    return operations


def _methods(item: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    return ((m, op) for m, op in item.items() if m in METHODS and isinstance(op, dict))


def _operation(key: str, title: str, page: str, op: dict[str, Any], notification: bool) -> Operation:
    sent, received = ("reply", "notification") if notification else ("request", "response")
    request_media, request_schema = _first_media((op.get("requestBody") or {}).get("content"))
    status, response = _success_response(op.get("responses") or {})
    response_media, response_schema = _first_media(response.get("content"))

    fields: dict[tuple[str, str], Field] = {}
    for param in op.get("parameters") or []:
        location = f"{sent} {param.get('in')}"
        _walk_field(param.get("schema") or {}, location, param["name"], bool(param.get("required")), param, fields)
    for name, header in (response.get("headers") or {}).items():
        _walk_field(
            header.get("schema") or {}, f"{received} header", name, bool(header.get("required")), header, fields
        )
    # A notification's envelope is what the service sends: the user receives it, and replies with the response.
    body_in, body_out = (received, sent) if notification else (sent, received)
    _walk_object(request_schema, f"{body_in} body", "", fields)
    _walk_object(response_schema, f"{body_out} body", "", fields)

    traits = {
        "api": op.get(ext.API),
        "request media type": request_media,
        "response": f"{status} {response_media or 'no content'}" if status else None,
        "client certificate": "required" if op.get(ext.CLIENT_CERT) else None,
        "host": op.get(ext.BASE_URL),
        "nonceless": "yes" if op.get(ext.NONCELESS) else None,
        "unsigned response": "yes" if response.get(ext.UNSIGNED) else None,
        "deprecated": "yes" if op.get("deprecated") else None,
    }
    docs = {
        "summary": op.get("summary"),
        "description": op.get("description"),
        "link": (op.get("externalDocs") or {}).get("url"),
        "request example": _example_text(op.get("requestBody"), request_media),
        "response example": _example_text(response, response_media),
    }
    return Operation(
        key,
        title,
        page,
        notification,
        {k: str(v) for k, v in traits.items() if v is not None},
        {k: str(v) for k, v in docs.items() if v is not None},
        fields,
    )


def _first_media(content: Mapping[str, Any] | None) -> tuple[str | None, dict[str, Any]]:
    for media, body in (content or {}).items():
        return media, (body or {}).get("schema") or {}
    return None, {}


def _success_response(responses: Mapping[Any, Any]) -> tuple[str | None, dict[str, Any]]:
    """The first 2xx response, else the first 3xx (a redirect page): what a successful call returns."""
    codes = sorted(str(code) for code in responses)
    for prefix in ("2", "3"):
        for code in codes:
            if code.startswith(prefix):
                return code, responses.get(code, responses.get(_as_int(code))) or {}
    return None, {}


def _as_int(code: str) -> int | str:
    return int(code) if code.isdigit() else code


def _example_text(holder: Mapping[str, Any] | None, media: str | None) -> str | None:
    example = ((holder or {}).get("content") or {}).get(media, {}).get("example") if media else None
    return None if example is None else _json(example)


def _walk_object(schema: Mapping[str, Any], location: str, prefix: str, fields: dict[tuple[str, str], Field]) -> None:
    """The fields of an object schema, below `prefix`; `oneOf` variants contribute their fields too."""
    if schema.get("type") == "array":
        _walk_object(schema.get("items") or {}, location, prefix + "[]", fields)
        return
    required = set(schema.get("required") or [])
    for name, sub in (schema.get("properties") or {}).items():
        pointer = f"{prefix}.{name}" if prefix else name
        _walk_field(sub, location, pointer, name in required, sub, fields)
    for variant in schema.get("oneOf") or []:
        _walk_object(variant, location, prefix, fields)


def _walk_field(
    schema: Mapping[str, Any],
    location: str,
    pointer: str,
    required: bool,
    holder: Mapping[str, Any],
    fields: dict[tuple[str, str], Field],
) -> None:
    """One field (a property, or a parameter whose description sits beside its schema) and what lies below it."""
    fields.setdefault((location, pointer), _describe(schema, required, holder))
    inner = schema.get("contentSchema")
    _walk_object(inner if isinstance(inner, dict) else schema, location, pointer, fields)


def _describe(schema: Mapping[str, Any], required: bool, holder: Mapping[str, Any]) -> Field:
    items = schema.get("items") or {}
    enum = schema.get("enum", items.get("enum"))
    return Field(
        type=_type_name(schema),
        required=required,
        enum=tuple(sorted(_json(v) for v in enum)) if enum is not None else None,
        encrypted=schema.get(ext.ENCRYPTED) or holder.get(ext.ENCRYPTED),
        client_filled=bool(holder.get(ext.CLIENT_FILLED) or schema.get(ext.CLIENT_FILLED)),
        doc=tuple(
            _json(v) if not isinstance(v, str) else v
            for v in (
                holder.get("description") or schema.get("description"),
                holder.get("example", schema.get("example")),
            )
            if v is not None
        ),
    )


def _type_name(schema: Mapping[str, Any]) -> str:
    """`string`, `integer[]`, `file`, `json` (a JSON document in a string: the SDK user passes the structure)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "array":
        return _type_name(schema.get("items") or {}) + "[]"
    if kind == "string" and schema.get("format") == "binary":
        return "file"
    if kind == "string" and schema.get("contentMediaType") == JSON:
        return "json"
    if kind is None and schema.get("oneOf"):
        return "|".join(sorted({_type_name(v) for v in schema["oneOf"]}))
    return str(kind or ("object" if "properties" in schema else "any"))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------------------------- comparing


def diff_specs(old: Iterable[SpecFile], new: Iterable[SpecFile]) -> list[Change]:
    """Every change from `old` to `new`, sorted by operation, then location and pointer."""
    before, after = flatten(old), flatten(new)
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        changes.extend(_operation_changes(before.get(key), after.get(key)))
    return changes


def _operation_changes(old: Operation | None, new: Operation | None) -> Iterator[Change]:
    if old is None or new is None:
        present = new or old
        assert present is not None
        noun = "notification" if present.notification else "operation"
        verb = "added" if old is None else "removed"
        impact = Impact.NON_BREAKING if old is None else Impact.BREAKING
        yield Change(f"{noun}-{verb}", impact, present.title, present.page, new=present.docs.get("summary"))
        return
    yield from _trait_changes(old, new)
    for name in _ordered_union(old.docs, new.docs):
        if old.docs.get(name) != new.docs.get(name):
            yield Change(
                "doc-changed", Impact.DOCUMENTATION, new.title, new.page, name, old.docs.get(name), new.docs.get(name)
            )
    for location, pointer in _ordered_union(old.fields, new.fields):
        where = f"{location} {pointer}"
        yield from _field_changes(new, where, old.fields.get((location, pointer)), new.fields.get((location, pointer)))


def _ordered_union(a: Mapping[Any, Any], b: Mapping[Any, Any]) -> list[Any]:
    """Keys of `b` in their order, then keys only `a` has: reports follow the page's row order."""
    return list(b) + [k for k in a if k not in b]


# Operation traits whose change never breaks a caller: the runtime absorbs them, or they only inform. A host
# change is not among them: signed traffic would go somewhere else. Neither is an answer becoming unsigned.
_HARMLESS_TRAITS = {"nonceless", "deprecated"}


def _trait_changes(old: Operation, new: Operation) -> Iterator[Change]:
    for name in _ordered_union(old.traits, new.traits):
        before, after = old.traits.get(name), new.traits.get(name)
        if before == after:
            continue
        relaxed = name in ("client certificate", "unsigned response") and after is None
        harmless = name in _HARMLESS_TRAITS or relaxed
        impact = Impact.NON_BREAKING if harmless else Impact.BREAKING
        yield Change("operation-changed", impact, new.title, new.page, name, before, after)


def _field_changes(op: Operation, where: str, old: Field | None, new: Field | None) -> Iterator[Change]:
    sends = where.startswith(("request", "reply"))
    if old is None or new is None:
        yield _field_presence_change(op, where, old, new, sends)
        return
    if old.type != new.type:
        yield Change("type-changed", Impact.BREAKING, op.title, op.page, where, old.type, new.type)
    if old.required != new.required:
        # Sending: an optional field becoming required breaks callers. Receiving: a field that may now be absent does.
        breaking = new.required if sends else old.required
        yield Change("required-changed", _impact(breaking), op.title, op.page, where, _req(old), _req(new))
    if old.enum != new.enum:
        yield _enum_change(op, where, old.enum, new.enum, sends)
    if old.encrypted != new.encrypted:
        # Sent: the runtime now needs a key it may not have been given; received: the user now gets ciphertext.
        yield Change("encryption-changed", Impact.BREAKING, op.title, op.page, where, old.encrypted, new.encrypted)
    if old.client_filled != new.client_filled:
        # The argument appears in or disappears from the generated method's signature.
        yield Change(
            "client-filled-changed",
            Impact.BREAKING,
            op.title,
            op.page,
            where,
            str(old.client_filled),
            str(new.client_filled),
        )
    if (
        old.doc != new.doc and old == new
    ):  # a description that changed along with the field is no documentation-only edit
        yield Change(
            "doc-changed", Impact.DOCUMENTATION, op.title, op.page, where, " / ".join(old.doc), " / ".join(new.doc)
        )


def _field_presence_change(op: Operation, where: str, old: Field | None, new: Field | None, sends: bool) -> Change:
    if new is not None:
        # Only a new required argument breaks callers; one the runtime fills in is not theirs to pass.
        breaking = sends and new.required and not new.client_filled
        return Change("field-added", _impact(breaking), op.title, op.page, where, None, _summary(new))
    assert old is not None
    return Change("field-removed", _impact(not old.client_filled), op.title, op.page, where, _summary(old), None)


def _enum_change(
    op: Operation, where: str, old: tuple[str, ...] | None, new: tuple[str, ...] | None, sends: bool
) -> Change:
    """Narrowed (values removed, or an enum where any value went) breaks senders; widened breaks receivers."""
    narrowed = new is not None and (old is None or bool(set(old) - set(new)))
    widened = old is not None and (new is None or bool(set(new) - set(old)))
    breaking = narrowed if sends else widened
    return Change("enum-changed", _impact(breaking), op.title, op.page, where, _enum_text(old), _enum_text(new))


def _impact(breaking: bool) -> Impact:
    return Impact.BREAKING if breaking else Impact.NON_BREAKING


def _req(f: Field) -> str:
    return "required" if f.required else "optional"


def _summary(f: Field) -> str:
    parts = [f.type, _req(f)]
    if f.enum is not None:
        parts.append(f"enum {_enum_text(f.enum)}")
    if f.encrypted:
        parts.append(f"encrypted {f.encrypted}")
    if f.client_filled:
        parts.append("client-filled")
    return ", ".join(parts)


def _enum_text(values: tuple[str, ...] | None) -> str:
    return "any" if values is None else " | ".join(values)


# --------------------------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Summary:
    operations_added: int
    operations_removed: int
    breaking: int
    non_breaking: int
    documentation: int


def summarize(changes: Iterable[Change]) -> Summary:
    items = list(changes)
    return Summary(
        operations_added=sum(c.kind in ("operation-added", "notification-added") for c in items),
        operations_removed=sum(c.kind in ("operation-removed", "notification-removed") for c in items),
        breaking=sum(c.impact is Impact.BREAKING for c in items),
        non_breaking=sum(c.impact is Impact.NON_BREAKING for c in items),
        documentation=sum(c.impact is Impact.DOCUMENTATION for c in items),
    )


def _headline(s: Summary) -> str:
    return (
        f"{s.operations_added} operations/notifications added, {s.operations_removed} removed; "
        f"{s.breaking} breaking, {s.non_breaking} non-breaking, {s.documentation} documentation-only changes"
    )


def render_text(changes: list[Change], show_docs: bool = False) -> str:
    lines = [_headline(summarize(changes))]
    for impact in Impact:
        selected = [c for c in changes if c.impact is impact]
        if not selected or (impact is Impact.DOCUMENTATION and not show_docs):
            continue
        lines.append(f"\n{impact.value.upper()} ({len(selected)})")
        lines.extend(f"  [{c.id}] {c.kind}: {c.subject}" + (f": {c.detail()}" if c.detail() else "") for c in selected)
    return "\n".join(lines) + "\n"


def render_markdown(changes: list[Change]) -> str:
    """A PR comment: the figures, a table per impact, documentation-only edits folded away."""
    s = summarize(changes)
    lines = [
        "### API changes",
        "",
        "| added | removed | breaking | non-breaking | documentation-only |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {s.operations_added} | {s.operations_removed} | {s.breaking} | {s.non_breaking} | {s.documentation} |",
    ]
    titles = {Impact.BREAKING: ":warning: Breaking", Impact.NON_BREAKING: "Non-breaking"}
    for impact, title in titles.items():
        selected = [c for c in changes if c.impact is impact]
        if selected:
            lines += ["", f"#### {title} ({len(selected)})", "", *_markdown_table(selected)]
    docs = [c for c in changes if c.impact is Impact.DOCUMENTATION]
    if docs:
        per_operation: dict[str, int] = {}
        for c in docs:
            per_operation[c.operation] = per_operation.get(c.operation, 0) + 1
        lines += ["", f"<details><summary>Documentation-only edits ({len(docs)})</summary>", ""]
        lines += [f"- `{op}`: {n}" for op, n in per_operation.items()]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _markdown_table(changes: list[Change]) -> list[str]:
    rows = ["| id | change | where | detail |", "| --- | --- | --- | --- |"]
    for c in changes:
        where = f"`{c.operation}`" + (f" {c.where}" if c.where else "")
        rows.append(f"| `{c.id}` | {c.kind} | {_cell(where)} | {_cell(c.detail())} |")
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_json(changes: list[Change]) -> str:
    document = {"summary": asdict(summarize(changes)), "changes": [c.to_json() for c in changes]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
