"""Every request a page's example describes, as the generated client sends it, passes Prism's validation.

Prism mocks the bundle (`wechatpay-codegen bundle`) behind the fake's signing proxy and checks each request
against the schema: parameters, headers, media type and body. The example is the page's own (`example` on a
parameter or on the request body); an operation whose example the client's own check refuses is not sent, and
is counted as such. Skipped where Prism (npm) cannot run.
"""

from __future__ import annotations

from collections.abc import Iterator
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.codegen import GenerateOptions
from generator.codegen.model import Operation, build_api
from generator.spec.io import SpecFile, read_specs
from tests.runtime.fake_server import Signer

from .conftest import Build
from .helpers import wait
from .test_testing import on_transport


@dataclass(frozen=True)
class ExampleCall:
    """One operation called with its page's example, as a merchant would: `client.chain(path).<method>(...)`."""

    label: str
    api: str
    call_path: str
    method: str
    arguments: dict[str, Any]


def example_calls(specs: list[SpecFile]) -> Iterator[ExampleCall]:
    """The calls the pages' examples make: each operation that has an example, or takes no argument, with its
    example's arguments by their Python names."""
    documented = {
        (path, method): operation
        for spec in specs
        for path, methods in (spec.data.get("paths") or {}).items()
        for method, operation in methods.items()
    }
    for op in build_api(specs, GenerateOptions(package="wechatpay")).operations:
        data = documented[op.path, op.name]
        arguments = _parameter_examples(op, data) | _body_example(op, data)
        if arguments or not op.params:
            api = str(data.get("x-wechatpay-api", "v3"))
            yield ExampleCall(f"{op.http_method.upper()} {op.path}", api, op.call_path, op.name, arguments)


def _parameter_examples(op: Operation, data: dict[str, Any]) -> dict[str, Any]:
    names = {(p.location, p.key): p.name for p in op.params}
    return {
        names[parameter["in"], parameter["name"]]: parameter["example"]
        for parameter in data.get("parameters") or []
        if "example" in parameter and (parameter["in"], parameter["name"]) in names
    }


def _body_example(op: Operation, data: dict[str, Any]) -> dict[str, Any]:
    """The body's example as keyword arguments; a field that travels as a JSON string is passed decoded, as a
    caller passes it (the client encodes it)."""
    names = {p.key: p.name for p in op.params if p.location == "body"}
    content = (data.get("requestBody") or {}).get("content") or {}
    media = next((media for media in content.values() if "example" in media), {})
    properties = (media.get("schema") or {}).get("properties") or {}
    return {
        names[key]: _as_passed(value, properties.get(key) or {})
        for key, value in (media.get("example") or {}).items()
        if key in names
    }


def _as_passed(value: Any, schema: dict[str, Any]) -> Any:
    if schema.get("contentMediaType") == "application/json" and isinstance(value, str):
        return json.loads(value)
    return value


@pytest.fixture(scope="module")
def calls(build: Build) -> list[ExampleCall]:
    return list(example_calls(read_specs(build.specs)))


def test_the_example_pages_give_calls_to_send(calls: list[ExampleCall]) -> None:
    labels = {call.label for call in calls}
    assert len(calls) >= 18 and sum(bool(call.arguments) for call in calls) >= 0.8 * len(calls)
    assert "POST /v3/pay/transactions/jsapi" in labels and "POST /pay/orderquery" in labels
    assert "POST /v3/merchant/media/upload" not in labels  # its page has no example
    refund = next(call for call in calls if call.label == "POST /secapi/pay/refundv2")
    assert isinstance(refund.arguments["detail"], dict)  # a JSON-string field, passed decoded


# Prism's server parses a JSON body only and hands any other to the validator as text (prism-http-server's
# `parseRequestBody`), so an APIv2 XML body always breaks its `type: object` schema. For those, the body's check is
# the client's own (`RequestValidationError`, which the example passed); Prism still checks the rest.
PRISM_READS_NO_XML = [{"location": ["body"], "severity": "Error", "code": "type", "message": "Request body must be object"}]


async def test_every_page_example_request_passes_prism(
    wechatpay: ModuleType, kind: str, signer: Signer, prism: str, calls: list[ExampleCall]
) -> None:
    fake = wechatpay.testing.FakeWeChatPay.create(signers=[signer], upstream=prism)
    sent, xml_unread, failed, refused = 0, 0, [], []
    async with on_transport(wechatpay, kind, fake, strict_responses=False) as client:
        for call in calls:
            try:
                await wait(getattr(client.chain(call.call_path), call.method)(**call.arguments))
            except (wechatpay.RequestValidationError, wechatpay.ConfigurationError) as error:
                refused.append(f"{call.label}: {error}")
                continue
            except wechatpay.APIStatusError as error:
                verdict = json.loads(error.body or b"{}").get("validation") if error.status_code == 422 else None
                if call.api != "v2" or verdict != PRISM_READS_NO_XML:
                    failed.append(f"{call.label}: {error} {error.body!r:.600}")
                    continue
                xml_unread += 1
            sent += 1
    print(f"\npage examples: {sent} of {len(calls)} pass Prism ({xml_unread} APIv2 XML bodies Prism cannot read)")
    print("\n".join(refused))
    assert failed == [], "\n".join(failed)
    assert fake.rejections == []
