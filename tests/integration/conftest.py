"""The SDK generated from examples/docs once per session, and its clients against the fake service over HTTP.

The package is built with the real command (`wechatpay-codegen build`) into a temporary folder and imported
from there; the fake service and its key fixtures come from tests/runtime.
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.runtime.conftest import server, signer  # noqa: F401 - fixtures shared with the runtime tests
from tests.runtime.fake_server import FakeWeChatPay

from .helpers import make_client

PACKAGE = "wechatpay"


@dataclass(frozen=True)
class Build:
    """Where the session's build put the specs and the importable distribution."""

    specs: Path
    dist: Path


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """`wechatpay-codegen build` of the example site into a temporary folder (fails the session if it fails)."""
    root = tmp_path_factory.mktemp("integration")
    result = Build(specs=root / "specs", dist=root / "generated")
    command = [sys.executable, "-m", "generator.cli", "build", "--docs", str(EXAMPLES), "--specs", str(result.specs)]
    command += ["--out", str(result.dist), "--cache", str(root / "cache"), "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"wechatpay-codegen build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return result


def _forget(name: str) -> None:
    for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[module]


@pytest.fixture(scope="session")
def wechatpay(build: Build) -> Iterator[ModuleType]:
    """The generated `wechatpay` package, imported from the session's build (never from anywhere else)."""
    _forget(PACKAGE)
    sys.path.insert(0, str(build.dist))
    try:
        package = importlib.import_module(PACKAGE)
        assert Path(package.__file__ or "").is_relative_to(build.dist), f"imported {package.__file__}"
        yield package
    finally:
        sys.path.remove(str(build.dist))
        _forget(PACKAGE)


@pytest.fixture(scope="session")
def models(wechatpay: ModuleType) -> ModuleType:
    """`wechatpay.models`: every request TypedDict and response model by name."""
    return importlib.import_module(f"{PACKAGE}.models")


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """Every test taking `client` runs once with `wechatpay.Client` and once with `wechatpay.AsyncClient`."""
    return str(request.param)


@pytest.fixture
async def client(wechatpay: ModuleType, kind: str, server: FakeWeChatPay) -> AsyncIterator[Any]:  # noqa: F811
    async with make_client(wechatpay, kind, server) as c:
        yield c


# -- Prism: a spec-validating mock, put behind the fake's signing proxy ----------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def prism(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prism mocking the example pages' bundle (`wechatpay-codegen bundle`); skipped where it cannot be installed."""
    if shutil.which("npx") is None:
        pytest.skip("npx (Node.js) is not installed: Prism cannot run")
    bundle = tmp_path_factory.mktemp("prism") / "openapi.yaml"
    command = [sys.executable, "-m", "generator.cli", "bundle", str(build.specs), "-o", str(bundle)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=60)
    port = _free_port()
    mock = ["npx", "-y", "@stoplight/prism-cli", "mock", "-h", "127.0.0.1", "-p", str(port), str(bundle)]
    log = bundle.with_suffix(".log")
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
