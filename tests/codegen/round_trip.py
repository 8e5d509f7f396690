"""The page's own examples sent through a generated client: what goes on the wire must be the example.

Each operation whose spec carries example values becomes one call: the example values as keyword arguments, and
the URL path, query, headers and body they must produce. A recording transport keeps the request and answers as
WeChat Pay would (signed), so the call runs through the real runtime end to end.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import warnings
from collections import Counter
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from generator.codegen.model import Api, Operation, Param
from generator.spec.io import SpecFile
from tests.runtime.fake_server import FakeWeChatPay, v2_sign, v2_xml

XML_MEDIA = ("application/xml", "text/xml")
ENCRYPTED_LENGTH = 300  # RSA-2048 ciphertext in base64 is 344 characters; no example value is that long


@dataclass
class ExampleCall:
    """One operation called with its page's example values, and what it must send."""

    call_path: str
    method: str
    arguments: dict[str, Any]
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    media: str | None
    body: Any
    client_filled: frozenset[str] = frozenset()  # APIv2 body fields the runtime fills (nonce_str, sign)
    query_filled: frozenset[str] = frozenset()  # query fields the runtime fills (an APIv2 query's sign)
    redirect: bool = False  # the method returns the URL for the user's browser instead of sending it
    encrypted: tuple[str, ...] = ()  # the runtime's pointers to fields it must encrypt (`query:name`, `payer.name`)

    @property
    def title(self) -> str:
        return f"{self.method.upper()} {self.call_path}"


@dataclass
class Outcome:
    """How the examples of a whole API fared."""

    sent: Counter[str] = field(default_factory=Counter)  # sent as written, by kind of call
    refused: list[str] = field(default_factory=list)  # the example breaks its own table: refused before sending
    differing: list[str] = field(default_factory=list)  # sent, but not as the example shows
    incomplete: list[str] = field(default_factory=list)  # a required argument has no example on its page

    @property
    def summary(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.sent.items()))
        return (
            f"{sum(self.sent.values())} sent as written ({kinds}); {len(self.refused)} refused before sending; "
            f"{len(self.differing)} sent differently; {len(self.incomplete)} without an example for a required argument"
        )


def example_calls(specs: list[SpecFile], api: Api) -> tuple[list[ExampleCall], list[str]]:
    """The calls of every operation whose spec carries examples; and the operations lacking one it needs
    (a path parameter the page's example leaves blank, `''`, counts as lacking)."""
    documented = {
        (p, m): op for s in specs for p, item in (s.data.get("paths") or {}).items() for m, op in item.items()
    }
    calls, incomplete = [], []
    for op in api.operations:
        call = _example_call(op, documented[op.path, op.name])
        if call is None:
            continue
        if any(_lacking(call.arguments.get(param.name), param, op) for param in op.params):
            incomplete.append(call.title)
        else:
            calls.append(call)
    return calls, incomplete


def _lacking(value: Any, param: Param, op: Operation) -> bool:
    if param.location == "path":
        return value in (None, "")
    return value is None and any(f.name == param.name and f.required for f in op.params_class.fields)


def _example_call(op: Operation, spec: dict[str, Any]) -> ExampleCall | None:
    content = (spec.get("requestBody") or {}).get("content") or {}
    media = next(iter(content), None)
    body_schema = (content[media].get("schema") or {}) if media else {}
    body = content[media].get("example") if media else None
    declared = {(p["in"], p["name"]): p for p in spec.get("parameters") or []}
    if body is None and not any("example" in p for p in declared.values()):
        return None
    arguments: dict[str, Any] = {}
    wire: dict[str, dict[str, str]] = {"path": {}, "query": {}, "header": {}}  # the examples as sent: text
    for param in op.params:
        if param.location == "body" and param.key == "" and body is not None:
            arguments[param.name] = _decoded(body, body_schema)
        elif param.location == "body" and isinstance(body, dict) and param.key in body:
            arguments[param.name] = _decoded(
                body[param.key], (body_schema.get("properties") or {}).get(param.key) or {}
            )
        elif "example" in declared.get((param.location, param.key), {}):
            parameter = declared[param.location, param.key]
            arguments[param.name] = _decoded(parameter["example"], parameter.get("schema") or {})
            wire[param.location][param.key] = _scalar(parameter["example"])
    filled = {k for k, s in (body_schema.get("properties") or {}).items() if s.get("x-wechatpay-client-filled")}
    prefix = urlsplit(str(dict(op.runtime).get("base_url") or "")).path.rstrip("/")  # a page's own access point
    return ExampleCall(
        call_path=op.call_path,
        method=op.name,
        arguments=arguments,
        path=prefix + "".join(_segment(s, wire["path"]) for s in op.path.split("/")[1:]),
        query=wire["query"],
        headers=wire["header"],
        media=media,
        body={k: v for k, v in body.items() if k not in filled} if isinstance(body, dict) else body,
        client_filled=frozenset(filled),
        query_filled=frozenset(
            n for (where, n), p in declared.items() if where == "query" and p.get("x-wechatpay-client-filled")
        ),
        redirect=bool(dict(op.runtime).get("redirect")),
        encrypted=tuple(dict(op.runtime).get("encrypted_fields") or ()),
    )


def _decoded(value: Any, schema: dict[str, Any]) -> Any:
    """The example as a caller passes it: a JSON-string field (`contentMediaType`) holds its decoded content; the
    runtime encodes it again, and the comparison reads both sides as JSON."""
    if isinstance(value, str) and schema.get("contentMediaType") == "application/json" and _is_json_text(value):
        return json.loads(value)
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        return {k: _decoded(v, properties.get(k) or {}) for k, v in value.items()}
    if isinstance(value, list):
        return [_decoded(item, schema.get("items") or {}) for item in value]
    return value


def _segment(segment: str, values: dict[str, str]) -> str:
    if segment.startswith("{") and segment.endswith("}") and segment[1:-1] in values:
        return "/" + quote(values[segment[1:-1]], safe="")
    return "/" + segment


def _scalar(value: Any) -> str:
    """A value as text in a URL, a header or APIv2 XML: JSON's spelling of booleans, JSON for structures."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def differences(call: ExampleCall, request: httpx.Request, parse_xml: Any) -> list[str]:
    """Where the request differs from what the example shows (empty: sent as written)."""
    found = [f"{pointer}: sent as the example gives it, not encrypted" for pointer in _unencrypted(call, request, parse_xml)]
    path, _, query = request.url.raw_path.decode().partition("?")
    if path != call.path:
        found.append(f"path {path} != {call.path}")
    sent_query = dict(parse_qsl(query, keep_blank_values=True))
    if call.query_filled - set(sent_query):
        found.append(f"not filled by the client: {sorted(call.query_filled - set(sent_query))}")
    sent_query = {k: v for k, v in sent_query.items() if k not in call.query_filled}
    if not _same(sent_query, call.query):
        found.append(f"query {sent_query} != {call.query}")
    for name, value in call.headers.items():
        if not _same(request.headers.get(name), value):
            found.append(f"header {name}: {request.headers.get(name)!r} != {value!r}")
    if call.media in XML_MEDIA:
        sent = parse_xml(request.content)
        missing = (call.client_filled | {"sign"}) - set(sent)
        if missing:
            found.append(f"not filled by the client: {sorted(missing)}")
        sent = {k: v for k, v in sent.items() if k not in call.client_filled}
        if not _same(sent, {k: _scalar(v) for k, v in call.body.items()}):
            found.append(f"XML body {sent} != {call.body}")
    elif (
        call.media == "application/json" and call.body is not None and not _same(json.loads(request.content), call.body)
    ):
        found.append(f"JSON body {request.content.decode()} != {json.dumps(call.body, ensure_ascii=False)}")
    return found


def _unencrypted(call: ExampleCall, request: httpx.Request, parse_xml: Any) -> list[str]:
    """The fields marked encrypted that left the client as they came in (an RSA ciphertext is ≥ 344 characters)."""
    query = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
    body: Any = {}
    if call.media == "application/json" and request.content:
        body = json.loads(request.content)
    elif call.media in XML_MEDIA:
        body = parse_xml(request.content)
    found = []
    for pointer in call.encrypted:
        location, _, name = pointer.partition(":")
        if name and location in ("query", "header"):
            values = [query.get(name) if location == "query" else request.headers.get(name)]
        else:
            values = _at(body, pointer.split("."))
        found += [pointer for value in values if isinstance(value, str) and len(value) < ENCRYPTED_LENGTH]
    return found


def _at(value: Any, keys: list[str]) -> list[Any]:
    """The values a body pointer reaches (`items[].name`: one per item); none where the example has no such field."""
    if not keys:
        return [value]
    key, rest = keys[0], keys[1:]
    many = key.endswith("[]")
    inner = value.get(key.removesuffix("[]")) if isinstance(value, dict) else None
    if many:
        return [v for item in inner or [] for v in _at(item, rest)] if isinstance(inner, list) else []
    return _at(inner, rest) if inner is not None else []


def _same(sent: Any, expected: Any) -> bool:
    """Equal as JSON values, except for strings the runtime encrypted (they differ on every call)."""
    if isinstance(sent, dict) and isinstance(expected, dict):
        return sent.keys() == expected.keys() and all(_same(sent[k], expected[k]) for k in sent)
    if isinstance(sent, list) and isinstance(expected, list):
        return len(sent) == len(expected) and all(map(_same, sent, expected))
    if isinstance(sent, str) and isinstance(expected, str) and _is_json_text(sent) and _is_json_text(expected):
        return _same(json.loads(sent), json.loads(expected))  # a JSON-string field: spacing is not meaning
    return sent == expected or (isinstance(sent, str) and len(sent) > ENCRYPTED_LENGTH)


def _is_json_text(text: str) -> bool:
    if not text.startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _kind(call: ExampleCall) -> str:
    if call.redirect:
        return "browser URL"
    return "APIv2 XML" if call.media in XML_MEDIA else "APIv3"


class Replier:
    """A transport that keeps each request and answers as WeChat Pay would: APIv3 with a signed empty 204,
    APIv2 with signed XML."""

    def __init__(self, fake: FakeWeChatPay) -> None:
        self.fake = fake
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("content-type", "").startswith("text/xml"):
            params = {"return_code": "SUCCESS", "result_code": "SUCCESS", "nonce_str": "n1"}
            params["sign"] = v2_sign(params, self.fake.apiv2_key, "MD5")
            return httpx.Response(200, content=v2_xml(params), headers={"Content-Type": "text/xml"})
        return httpx.Response(204, headers=self.fake.sign_headers(b""))


def send_examples(
    package: ModuleType, calls: list[ExampleCall], fake: FakeWeChatPay, asynchronous: bool = False
) -> Outcome:
    """Call every example through a client of `package` (its `AsyncClient` if `asynchronous`); sort each into
    sent as written, refused or differing."""
    replier = Replier(fake)
    transport = httpx.MockTransport(replier)
    http, kind = (httpx.AsyncClient, package.AsyncClient) if asynchronous else (httpx.Client, package.Client)
    client = kind(**fake.client_settings(), http_client=http(transport=transport))
    client._mtls_http = http(transport=transport)  # mTLS calls (APIv2 refunds) are recorded too
    parse_xml = importlib.import_module(f"{package.__name__}._runtime.v2").parse_xml
    outcome = Outcome()
    loop = asyncio.new_event_loop()
    try:
        for call in calls:
            before, result = len(replier.requests), None
            try:
                with warnings.catch_warnings():  # deprecated operations warn on every call
                    warnings.simplefilter("ignore", DeprecationWarning)
                    result = getattr(client.chain(call.call_path), call.method)(**call.arguments)
                    if inspect.isawaitable(result):
                        result = loop.run_until_complete(result)
            except package.RequestValidationError as exc:
                outcome.refused.append(f"{call.title}: {exc}")
                continue
            except package.WeChatPayError:
                pass  # the reply does not fit an operation that answers with a body: the request was sent all the same
            if call.redirect and isinstance(result, str):
                replier.requests.append(httpx.Request(call.method.upper(), result))  # the browser's request
            if len(replier.requests) == before:
                outcome.differing.append(f"{call.title}: nothing sent")
                continue
            found = differences(call, replier.requests[-1], parse_xml)
            if found:
                outcome.differing.append(f"{call.title}: {'; '.join(found)}")
            else:
                outcome.sent[_kind(call)] += 1
    finally:
        loop.close()
    return outcome
