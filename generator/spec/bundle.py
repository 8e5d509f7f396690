"""The bundle: every page's spec in one OpenAPI 3.1 document that standard tools (linters, mock servers, client and
model generators) read as this tool's SDK reads the specs. The specs keep their schemas inline and their facts in
`x-wechatpay-*` keys; the bundle says the same in OpenAPI's own words: named schemas under `components`, the media
type, host and authorization the client uses, the error answer of APIv3."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, count
from typing import Any

from . import extensions as ext
from .io import OPENAPI_VERSION, SpecFile, refuse_collisions

Schema = dict[str, Any]

SERVER = "https://api.mch.weixin.qq.com"
V3_AUTH = "WechatPayV3"
CLIENT_CERT = "MerchantCertificate"
ERROR = "Error"
_REF = "#/components/{}/{}"
# What the runtime puts on the wire where the pages say `application/xml`: APIv2 bodies go as `text/xml`.
_SENT_AS = {"application/xml": "text/xml"}
FILLED_BY_CLIENT = "(filled by the client)"  # the example value of a field the pages' examples leave to the SDK
_SECURITY_SCHEMES = {
    V3_AUTH: {
        "type": "http",
        "scheme": "WECHATPAY2-SHA256-RSA2048",
        "description": "APIv3: `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,"
        "serial_no=…`, an RSA-SHA256 signature of the method, URL, timestamp, nonce and body with the merchant's "
        "private key.",
    },
    CLIENT_CERT: {"type": "mutualTLS", "description": "The merchant's API client certificate (`apiclient_cert.pem`)."},
}
_ERROR_SCHEMA: Schema = {
    "type": "object",
    "description": "APIv3's answer to a call it refuses.",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "The error code, e.g. `PARAM_ERROR`."},
        "message": {"type": "string", "description": "What went wrong, in words."},
        "detail": {"type": "object", "description": "Where it went wrong (`field`, `value`, `issue`, `location`)."},
    },
}
_ERROR_RESPONSE = {
    "description": "The call was refused (4xx) or failed (5xx).",
    "content": {"application/json": {"schema": {"$ref": _REF.format("schemas", ERROR)}}},
}
_DESCRIPTION = (
    "The WeChat Pay merchant API as its documentation pages describe it, one operation per page section: APIv3 "
    "(JSON, signed with `WECHATPAY2-SHA256-RSA2048`) under `/v3`, APIv2 (XML signed with a `sign` field) elsewhere, "
    "and the notifications the service sends under `webhooks`. Facts OpenAPI has no keyword for are "
    "`x-wechatpay-*` extensions."
)


def bundle(specs: Iterable[SpecFile], title: str = "WeChat Pay API", version: str = "1.0.0") -> dict[str, Any]:
    """One OpenAPI 3.1 document: every page's paths under `paths`, its notifications under `webhooks`."""
    specs = list(specs)
    refuse_collisions(specs)
    paths: dict[str, Any] = {}
    webhooks: dict[str, Any] = {}
    for spec in specs:
        _merge(paths, spec.data.get("paths") or {})
        _merge(webhooks, spec.data.get("webhooks") or {})
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        ext.BUNDLE: True,
        "info": {
            "title": title,
            "version": version,
            "description": _DESCRIPTION,
            "contact": {"name": "WeChat Pay", "url": "https://pay.weixin.qq.com"},
        },
        "servers": [{"url": SERVER}],
        "tags": [],
        "paths": dict(sorted(paths.items())),
        "webhooks": dict(sorted(webhooks.items())),
    }
    _unique_operation_ids(document)
    for section, operation in _operations(document):
        _describe_wire(operation, section == "webhooks")
    document["tags"] = _tags(document)
    document["components"] = {
        "schemas": _named_schemas(document),
        "responses": {ERROR: copy.deepcopy(_ERROR_RESPONSE)},  # copies: a caller may change its document
        "securitySchemes": copy.deepcopy(_SECURITY_SCHEMES),
    }
    return document


def _merge(into: dict[str, Any], items: Mapping[str, Any]) -> None:
    """Add one page's path items (deep copies: the bundle rewrites its operations, the specs stay as they are);
    `collisions` has ruled out two pages documenting one method of a path."""
    for key, item in items.items():
        into.setdefault(key, {}).update(copy.deepcopy(item))


def _operations(document: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for section in ("paths", "webhooks"):
        for item in document[section].values():
            for operation in item.values():
                if isinstance(operation, dict):
                    yield section, operation


def _unique_operation_ids(document: dict[str, Any]) -> None:
    """Ids that two pages derive alike (`v2/TRANSACTION.SUCCESS`, `v2/transaction-success`) get `_2`, `_3`, … in
    the document's order: OpenAPI wants each id once."""
    seen: dict[str, int] = {}
    for _, operation in _operations(document):
        if isinstance(operation.get("operationId"), str):
            given = operation["operationId"]
            seen[given] = seen.get(given, 0) + 1
            if seen[given] > 1:
                operation["operationId"] = f"{given}_{seen[given]}"


# ---------------------------------------------------------------------------- what goes on the wire


def _describe_wire(operation: dict[str, Any], webhook: bool) -> None:
    """The client's side of a call in OpenAPI's words: its body's media type, its host, its authorization, and
    APIv3's error answer. A notification is the service's call: it keeps its media types and needs no credentials."""
    if webhook:
        operation["security"] = []
        return
    body = operation.get("requestBody")
    if isinstance(body, dict) and isinstance(body.get("content"), dict):
        body["content"] = {_SENT_AS.get(media, media): content for media, content in body["content"].items()}
    _fitting_examples(operation)
    if operation.get(ext.BASE_URL):
        operation["servers"] = [{"url": str(operation[ext.BASE_URL]).rstrip("/")}]
    v3 = operation.get(ext.API) == "v3"
    requirement: dict[str, list[str]] = {V3_AUTH: []} if v3 else {}
    if operation.get(ext.CLIENT_CERT):
        requirement[CLIENT_CERT] = []
    operation["security"] = [requirement] if requirement else []  # APIv2 signs inside the body: no scheme
    if v3 and isinstance(operation.get("responses"), dict):
        errors = {code: {"$ref": _REF.format("responses", ERROR)} for code in ("4XX", "5XX")}
        operation["responses"] = {**operation["responses"], **errors}


def _fitting_examples(operation: dict[str, Any]) -> None:
    """Tools take `example` for a valid request (a mock server answers with it, a linter checks it): the fields
    the client fills get a value saying so, and an example the page's own table refuses (a value outside its enum,
    a required field left out) moves to `x-wechatpay-example`."""
    holders = [parameter for parameter in operation.get("parameters") or [] if isinstance(parameter, dict)]
    for holder in holders + _content(operation.get("requestBody")):
        if "example" not in holder or not isinstance(holder.get("schema"), dict):
            continue
        example = _with_client_filled(holder["example"], holder["schema"])
        if _fits(example, holder["schema"]):
            holder["example"] = example
        else:
            holder[ext.EXAMPLE] = holder.pop("example")


def _fits(example: Any, schema: Schema) -> bool:
    # imported by `bundle` alone: every other command starts faster
    from jsonschema import Draft202012Validator

    return bool(Draft202012Validator(schema).is_valid(example))


def _with_client_filled(example: Any, schema: Schema) -> Any:
    """The example with the required fields the client fills (APIv2 `nonce_str`, `sign`) that it leaves out."""
    if not isinstance(example, dict):
        return example
    properties = schema.get("properties") or {}
    filled = [name for name in schema.get("required") or [] if (properties.get(name) or {}).get(ext.CLIENT_FILLED)]
    return {**example, **{name: FILLED_BY_CLIENT for name in filled if name not in example}}


def _tags(document: Mapping[str, Any]) -> list[dict[str, str]]:
    """Every tag the operations use, in order: `v3/pay` is the APIv3 operations below `/v3/pay`."""
    names = sorted({tag for _, operation in _operations(document) for tag in operation.get("tags") or []})
    return [{"name": name, "description": _tag_description(name)} for name in names]


def _tag_description(name: str) -> str:
    kind, _, area = name.partition("/")
    if kind == "webhook":
        return f"The notifications of API{area}"
    return f"API{kind} operations of `{area}`" if area else f"API{kind} operations"


# ---------------------------------------------------------------------------- named schemas


def _named_schemas(document: Mapping[str, Any]) -> dict[str, Schema]:
    """Every object schema moved to `components/schemas` and `$ref`ed: a name per place, from the operation and
    the field path (`PostV3PayTransactionsJsapiRequestAmount`), so generators name their models by it."""
    components: dict[str, Schema] = {ERROR: copy.deepcopy(_ERROR_SCHEMA)}
    for section, operation in _operations(document):
        base = _pascal(str(operation.get("operationId") or "operation"))
        request, response = ("Notification", "Reply") if section == "webhooks" else ("Request", "Response")
        for parameter in operation.get("parameters") or []:
            _name_schema_of(parameter, base + _pascal(str(parameter.get("name"))), components)
        for media in _content(operation.get("requestBody")):
            _name_schema_of(media, base + request, components)
        for code, answer in (operation.get("responses") or {}).items():
            for media in _content(answer):
                _name_schema_of(media, base + response + ("" if str(code) == "200" else str(code)), components)
    return components


def _content(holder: Any) -> list[dict[str, Any]]:
    """The media type objects of a request body or response."""
    content = holder.get("content") if isinstance(holder, dict) else None
    return [media for media in content.values() if isinstance(media, dict)] if isinstance(content, dict) else []


def _name_schema_of(holder: Any, name: str, components: dict[str, Schema]) -> None:
    if isinstance(holder, dict) and isinstance(holder.get("schema"), dict):
        holder["schema"] = _named(holder["schema"], name, components)


def _named(schema: Any, stem: str, components: dict[str, Schema], trail: tuple[str, ...] = ()) -> Any:
    """`schema` with the object schemas in it (itself included) replaced by `$ref`s to named components: `stem`
    (operation and part) and the field path `trail` below it. A copy: the specs stay as they are."""
    if not isinstance(schema, dict):
        return schema
    named = {_composition(key, schema): value for key, value in schema.items()}
    for key in ("properties", "patternProperties"):
        if isinstance(named.get(key), dict):
            named[key] = {
                field: _named(child, stem, components, (*trail, _field_word(field, child)))
                for field, child in named[key].items()
            }
    for key in ("items", "contentSchema"):  # an array's items and a JSON string's inside are named for their field
        if key in named:
            named[key] = _named(named[key], stem, components, trail)
    for key in ("oneOf", "anyOf", "allOf"):
        if isinstance(named.get(key), list):
            named[key] = [
                _named(part, stem, components, (*trail, f"Variant{index}")) for index, part in enumerate(named[key], 1)
            ]
    if named.get("type") != "object" or not ("properties" in named or "patternProperties" in named):
        return named
    return {"$ref": _REF.format("schemas", _register(named, stem, trail, components))}


def _composition(key: str, schema: Schema) -> str:
    """`oneOf` says exactly one variant matches; where two variants accept one value (two objects, two strings:
    the page's own example often matches both), that is `anyOf`."""
    if key != "oneOf" or not isinstance(schema[key], list):
        return key
    types = [_json_types(variant) for variant in schema[key]]
    overlap = any(types[i] & types[j] for i in range(len(types)) for j in range(i + 1, len(types)))
    return "anyOf" if overlap else key


def _json_types(schema: Any) -> set[str]:
    """The JSON types a schema admits (an integer is a number; a schema without `type` admits all)."""
    declared = schema.get("type") if isinstance(schema, dict) else None
    if declared is None:
        return {"object", "array", "string", "number", "boolean", "null"}
    return {
        "number" if kind == "integer" else kind for kind in (declared if isinstance(declared, list) else [declared])
    }


def _register(schema: Schema, stem: str, trail: tuple[str, ...], components: dict[str, Schema]) -> str:
    """The shortest free name: the stem and the last field (`…ResponseAmount`), then more of the path as needed
    (`…ResponseRefundAmount`), then a number; an identical schema shares its name. Whole paths grow past the
    255 bytes a file name may have, where generators write one file per model."""
    names = [stem + "".join(trail[len(trail) - length :]) for length in range(min(len(trail), 1), len(trail) + 1)]
    numbered = (f"{names[-1]}{number}" for number in count(2))
    name = next(name for name in chain(names, numbered) if components.get(name, schema) == schema)
    components[name] = schema
    return name


def _field_word(field: str, schema: Any) -> str:
    """A property's part of a name; a numbered family (`coupon_id_$n`, keyed by its pattern) by its row name."""
    row = schema.get(ext.INDEXED) if isinstance(schema, dict) else None
    return _pascal(str(row or field)) or "Field"


def _pascal(text: str) -> str:
    """`sub_mchid` → `SubMchid`, `postV3PayTransactionsJsapi` → `PostV3PayTransactionsJsapi`."""
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", text))
