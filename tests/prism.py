"""Prism (a spec-validating mock, npm) behind the fake's signing proxy, and the calls the pages' examples make.

Prism mocks the bundle (`wechatpay-codegen bundle`) and checks each request against its schema: parameters,
headers, media type and body. The example calls are each operation with its page's own example (`example` on a
parameter or on the request body) as keyword arguments, or with none where the operation takes none.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.codegen.model import Api, Operation
from generator.spec.bundle import bundle
from generator.spec.io import SpecFile, write_bundle

# Prism's server parses a JSON body only and hands any other to the validator as text (prism-http-server's
# `parseRequestBody`), so an APIv2 XML body always breaks its `type: object` schema. For those, the body's check is
# the client's own (`RequestValidationError`, which the example passed); Prism still checks the rest.
PRISM_READS_NO_XML = [
    {"location": ["body"], "severity": "Error", "code": "type", "message": "Request body must be object"}
]


@contextmanager
def prism_mocking(specs: Iterable[SpecFile], folder: Path) -> Iterator[str]:
    """Prism serving the specs' bundle on a free local port, until the block ends; skips where it cannot run."""
    if shutil.which("npx") is None:
        pytest.skip("npx (Node.js) is not installed: Prism cannot run")
    document = folder / "openapi.yaml"
    write_bundle(bundle(specs), document)
    port = _free_port()
    mock = ["npx", "-y", "@stoplight/prism-cli", "mock", "-h", "127.0.0.1", "-p", str(port), str(document)]
    log = folder / "prism.log"
    # a session of its own: npx starts Prism as a child, which must end with it
    with (
        log.open("wb") as sink,
        subprocess.Popen(mock, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True) as process,
    ):
        try:
            _wait_until_listening(process, port, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            os.killpg(process.pid, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 180  # the first run downloads Prism from the npm registry
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.skip(f"Prism could not be installed or started: {log.read_text(errors='replace')[-500:]}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.5)
    pytest.skip("Prism did not start within 180 s")


@dataclass(frozen=True)
class ExampleCall:
    """One operation called with its page's example, as a merchant would: `client.chain(path).<method>(...)`."""

    label: str
    api: str
    call_path: str
    method: str
    arguments: dict[str, Any]


def example_calls(specs: list[SpecFile], api: Api) -> Iterator[ExampleCall]:
    """The calls the pages' examples make (`api`: the package's typed view of `specs`): each operation that has an
    example, or takes no argument, with its example's arguments by their Python names."""
    documented = {
        (path, method): operation
        for spec in specs
        for path, methods in (spec.data.get("paths") or {}).items()
        for method, operation in methods.items()
    }
    for op in api.operations:
        data = documented[op.path, op.name]
        arguments = _parameter_examples(op, data) | _body_example(op, data)
        if arguments or not op.params:
            api = str(data.get("x-wechatpay-api", "v3"))
            yield ExampleCall(f"{op.http_method} {op.path}", api, op.call_path, op.name, arguments)


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


@dataclass
class Verdicts:
    """What became of the example calls: sent and passed by Prism, refused by the client's own check (a page
    example that breaks its own table), or refused by Prism (`failed`: each with Prism's reasons)."""

    passed: int = 0
    xml_unread: int = 0
    refused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def record(self, package: Any, call: ExampleCall, error: Exception | None) -> None:
        if error is None:
            self.passed += 1
        elif isinstance(error, package.RequestValidationError):
            self.refused.append(f"{call.label}: {error}")
        elif isinstance(error, package.APIStatusError) and self._reads_no_xml(call, error):
            self.passed, self.xml_unread = self.passed + 1, self.xml_unread + 1
        else:
            self.failed.append(f"{call.label}: {error} {getattr(error, 'body', b'')!r:.600}")

    @staticmethod
    def _reads_no_xml(call: ExampleCall, error: Any) -> bool:
        found = json.loads(error.body or b"{}").get("validation") or [] if error.status_code == 422 else []
        errors = [entry for entry in found if entry.get("severity") == "Error"]  # not its unsupported-scheme notes
        return call.api == "v2" and errors == PRISM_READS_NO_XML

    def summary(self, total: int) -> str:
        return (
            f"page examples: {self.passed} of {total} sent pass Prism ({self.xml_unread} APIv2 XML bodies Prism "
            f"cannot read), {len(self.refused)} refused by the client's check, {len(self.failed)} refused by Prism"
        )
