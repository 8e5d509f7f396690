"""Real samples (`WECHATPAY_SAMPLES`, default `$WECHATPAY_CORPUS/samples`) through a generated package.

Answers and notifications take the path a merchant's call takes: the client sends the call (unchecked, with
`validate_request=False`) over a transport that answers with the sample, signed as WeChat Pay signs (APIv3
headers, APIv2 `sign`); a notification is sealed (AES-256-GCM under the APIv3 key) and signed, then read by
`client.webhooks.parse`. Requests are checked as a call checks them, before anything is sent.
"""

from __future__ import annotations

import importlib
import json
import typing
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

import httpx
from typing_extensions import NotRequired, Required, is_typeddict

from generator.codegen.model import Api, Operation
from tests.runtime.fake_server import FakeWeChatPay, v2_sign

XML_MEDIA = ("application/xml", "text/xml")
CLIENT_FILLED = frozenset({"sign", "nonce_str"})  # APIv2 fields the runtime writes itself


@dataclass(frozen=True)
class Sample:
    file: str
    kind: str  # request, response or notification
    api: str
    data: Any
    method: str = ""
    page: str = ""
    event_types: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()


def load_samples(root: Path) -> list[Sample]:
    """Every sample the manifest lists, its JSON read (some files start with a byte-order mark)."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return [
        Sample(
            file=entry["file"],
            kind=entry["kind"],
            api=entry["api"],
            data=json.loads((root / entry["file"]).read_text(encoding="utf-8-sig")),
            method=entry.get("method", ""),
            page=entry.get("page", ""),
            event_types=tuple(entry.get("event_types") or ()),
            pages=tuple(entry.get("pages") or ()),
        )
        for entry in manifest["samples"]
    ]


def operations_by_page(api: Api) -> dict[tuple[str, str], tuple[str, Operation]]:
    """(doc page, HTTP method) -> the generated module and operation of that page."""
    found = {}
    for module in api.modules:
        page = module.source.removeprefix("specs/").removesuffix(".yaml") + ".md"
        for resource in module.resources:
            for op in resource.operations:
                found[page, op.http_method] = (module.module, op)
    return found


@dataclass
class Tally:
    """How a set of samples fared, and how much of their content the models declare."""

    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    fields_seen: int = 0
    fields_declared: int = 0

    def fail(self, kind: str, text: str) -> None:
        self.outcomes[kind] += 1
        self.failures.append(text)

    @property
    def declared_share(self) -> float:
        return self.fields_declared / self.fields_seen if self.fields_seen else 1.0


def count_declared(tally: Tally, data: Any, model: Any) -> None:
    """Each field of `data` once: declared if the model at its level names it (its wire key or an indexed family)."""
    if not isinstance(data, dict):
        return
    fields = getattr(type(model), "model_fields", {}) if model is not None else {}
    keys = {f.alias or n: n for n, f in fields.items()}
    indexed = {row.split("_$", 1)[0] for row in getattr(type(model), "indexed_fields", {}).values()}
    for key, value in data.items():
        tally.fields_seen += 1
        name = keys.get(key)
        if name is None:
            if any(key.startswith(f"{prefix}_") and key[len(prefix) + 1 :][:1].isdigit() for prefix in indexed):
                tally.fields_declared += 1
            continue
        tally.fields_declared += 1
        inner = getattr(model, name, None)
        if isinstance(value, dict):
            count_declared(tally, value, inner if hasattr(type(inner), "model_fields") else None)
        elif isinstance(value, list) and isinstance(inner, list):
            for item, item_model in zip(value, inner):
                count_declared(tally, item, item_model if hasattr(type(item_model), "model_fields") else None)


# -- the wire ----------------------------------------------------------------------------------------------


def xml_of(params: dict[str, Any]) -> bytes:
    """Sample JSON written back as the XML it was read from: objects nest, lists repeat their tag."""

    def elements(mapping: dict[str, Any]) -> str:
        out = []
        for key, value in mapping.items():
            for item in value if isinstance(value, list) else [value]:
                inner = elements(item) if isinstance(item, dict) else escape(_text(item))
                out.append(f"<{key}>{inner}</{key}>")
        return "".join(out)

    return f"<xml>{elements(params)}</xml>".encode()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Answering:
    """A transport answering every request with one sample, signed for the client under test as the service signs:
    APIv3 headers; APIv2 `sign` by the sign type of the request (the answer's own when it names one)."""

    def __init__(self, fake: FakeWeChatPay) -> None:
        self.fake = fake
        self.data: dict[str, Any] = {}
        self.xml = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.xml:
            sign_type = _sign_type(request.content) if request.content.startswith(b"<") else "MD5"
            body = signed_xml(self.data, self.fake.apiv2_key, sign_type)
            return httpx.Response(200, content=body, headers={"Content-Type": "text/xml"})
        body = json.dumps(self.data, ensure_ascii=False).encode()
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json", **self.fake.sign_headers(body)})

    def answer_with(self, sample: Sample, xml: bool) -> None:
        self.data, self.xml = sample.data, xml


def _sign_type(xml: bytes) -> str:
    from defusedxml.ElementTree import fromstring

    return fromstring(xml).findtext("sign_type") or "MD5"


def client_for(package: ModuleType, fake: FakeWeChatPay, answering: Answering, **settings: Any) -> Any:
    transport = httpx.MockTransport(answering)
    client = package.Client(**fake.client_settings(), http_client=httpx.Client(transport=transport), **settings)
    client._mtls_http = httpx.Client(transport=transport)  # operations that need the client certificate
    return client


# -- responses -----------------------------------------------------------------------------------------------


def read_responses(
    package: ModuleType, api: Api, samples: list[Sample], fake: FakeWeChatPay, **settings: Any
) -> Tally:
    """Each response sample of an operation the package has, as its method returns it (`settings`: the client's)."""
    operations = operations_by_page(api)
    answering = Answering(fake)
    client = client_for(package, fake, answering, **settings)
    tally = Tally()
    for sample in samples:
        if sample.kind != "response" or (sample.page, sample.method) not in operations:
            continue
        _, op = operations[sample.page, sample.method]
        media = dict(op.runtime).get("response_media")
        answering.answer_with(sample, xml=media in XML_MEDIA)
        method = getattr(client.chain(op.call_path), op.name)
        try:
            result = method(**dict(_placeholders(op)), **_files(op), validate_request=False)
        except package.APIStatusError as exc:  # a sample of a failure answer (return_code / result_code FAIL)
            tally.outcomes["failure answer, typed error"] += 1
            tally.failures.append(f"{sample.file}: (expected) {type(exc).__name__} {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - every kind of refusal is what this counts
            tally.fail("raised", f"{sample.file}: {type(exc).__name__}: {exc}")
            continue
        if result is None and sample.data:
            tally.fail("dropped", f"{sample.file}: the body was dropped")
            continue
        tally.outcomes["typed, with disagreements" if result.doc_disagreements else "typed"] += 1
        count_declared(tally, sample.data, result)
    return tally


def _placeholders(op: Operation) -> Iterator[tuple[str, str]]:
    """A value for each path parameter: the sample bodies leave them out."""
    for param in op.params:
        if param.location == "path":
            yield param.name, "1"


def _unbound(op: Operation, arguments: dict[str, Any]) -> dict[str, str]:
    """The path parameters a sample leaves out, bound as the tree binds them."""
    return {name: value for name, value in _placeholders(op) if name not in arguments}


def _files(op: Operation) -> dict[str, bytes]:
    """A file for each file part of an upload: the samples hold only its `meta`."""
    return {f.name: b"\x89PNG" for f in op.params_class.fields if f.annotation == "FileInput"}


# -- notifications -------------------------------------------------------------------------------------------


def read_notifications(package: ModuleType, samples: list[Sample], fake: FakeWeChatPay) -> Tally:
    """Each notification sample, sealed and signed as the service sends it, through `client.webhooks`."""
    client = package.Client(**fake.client_settings())
    tally = Tally()
    for sample in samples:
        if sample.kind != "notification":
            continue
        event_type = sample.event_types[0]
        try:
            if sample.api == "v3":
                headers, body = fake.make_notification(event_type, sample.data)
                event = client.webhooks.parse(headers, body)
                resource = event.resource
            else:
                event = client.webhooks.parse_v2(event_type, signed_xml(sample.data, fake.apiv2_key))
                resource = event
        except Exception as exc:  # noqa: BLE001 - every kind of refusal is what this counts
            tally.fail("raised", f"{sample.file}: {type(exc).__name__}: {exc}")
            continue
        typed = type(event).__name__ not in ("Notification", "Model")
        outcome = "typed" if typed else "untyped (event type not in the docs)"
        tally.outcomes[outcome + (", with disagreements" if event.doc_disagreements else "")] += 1
        count_declared(tally, sample.data, resource)
    return tally


def signed_xml(data: dict[str, Any], apiv2_key: str, sign_type: str = "MD5") -> bytes:
    """An APIv2 sample signed anew with the test's key, by the `sign_type` it names, else `sign_type`."""
    params = {k: v if isinstance(v, (dict, list)) else _text(v) for k, v in data.items() if k != "sign"}
    text_fields = {k: v for k, v in params.items() if isinstance(v, str)}
    params["sign"] = v2_sign(text_fields, apiv2_key, str(params.get("sign_type") or sign_type).strip())
    return xml_of(params)


# -- requests ------------------------------------------------------------------------------------------------


def check_requests(package: ModuleType, api: Api, samples: list[Sample], fake: FakeWeChatPay) -> Tally:
    """Each request sample checked as a call checks it, by a client with default settings (and the merchant's
    mchid, as every client has), nothing sent (`failures`: why)."""
    client = package.Client(**fake.client_settings())
    operations = operations_by_page(api)
    tally = Tally()
    for sample in samples:
        if sample.kind != "request" or (sample.page, sample.method) not in operations:
            continue
        module, op = operations[sample.page, sample.method]
        endpoint = getattr(_module_of(package, module), op.endpoint)
        arguments = _arguments(op, sample, endpoint)
        try:
            endpoint.request(arguments, _unbound(op, arguments), client)
        except package.RequestValidationError as exc:
            tally.fail("refused", f"{sample.file}: {exc}")
            continue
        tally.outcomes["passes"] += 1
    return tally


def _module_of(package: ModuleType, module: str) -> ModuleType:
    return importlib.import_module(f"{package.__name__}._specs.{module}")


def _arguments(op: Operation, sample: Sample, endpoint: Any) -> dict[str, Any]:
    """The sample as keyword arguments, as a caller passes them: a JSON-string field decoded (the runtime
    encodes it), APIv2 text in its declared type (XML carries only text), the runtime's own fields left out."""
    by_key = {p.key: p.name for p in op.params if p.location != "path"}
    hints = typing.get_type_hints(endpoint._params)
    data = sample.data
    if "meta" in hints and "meta" not in data:  # an upload: the sample is its `meta`
        data = {"meta": data, **_files(op)}
    arguments = {}
    for key, value in data.items():
        if sample.api == "v2" and key in CLIENT_FILLED:
            continue
        name = by_key.get(key, key)
        arguments[name] = _as_passed(value, hints.get(name), sample.api == "v2")
    if any(p.location == "body" for p in op.params):  # the sample is the body: its query and headers are not in it
        required = endpoint._params.__required_keys__
        for param in op.params:
            if param.location in ("query", "header") and param.name in required and param.name not in arguments:
                arguments[param.name] = _placeholder(hints[param.name])
    return arguments


def _placeholder(hint: Any) -> Any:
    """A value of the parameter's type: its first allowed value, or one."""
    hint = _unwrapped(hint)
    if typing.get_origin(hint) is Literal:
        return typing.get_args(hint)[0]
    return 1 if hint is int else "1"


def _as_passed(value: Any, hint: Any, xml: bool) -> Any:
    hint = _unwrapped(hint)
    if isinstance(value, str) and (is_typeddict(hint) or typing.get_origin(hint) in (list, dict)):
        try:
            return json.loads(value)
        except ValueError:  # a urlencoded field (`by-urlencode`) travels as `a=1&b=2`, text throughout
            return _as_passed(dict(parse_qsl(unquote(value))), hint, True) if "=" in unquote(value) else value
    if xml and isinstance(value, str) and hint in (int, float) and value.lstrip("-").isdigit():
        return int(value)
    if isinstance(value, dict) and is_typeddict(hint):  # a urlencoded field's values are text too
        inner = typing.get_type_hints(hint)
        return {k: _as_passed(v, inner.get(k), True) for k, v in value.items()}
    return value


def _unwrapped(hint: Any) -> Any:
    """`T` of `NotRequired[T]` / `Required[T]`."""
    while typing.get_origin(hint) in (NotRequired, Required):
        hint = typing.get_args(hint)[0]
    return hint
