"""The SDK generated from examples/docs once per session, and its clients against the fake service over HTTP.

The package is built with the real command (`wechatpay-codegen build`) into a temporary folder and imported
from there; the fake service and its key fixtures come from tests/runtime.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from generator.spec.io import read_specs
from tests.conftest import EXAMPLES, ROOT
from tests.prism import prism_mocking
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


@pytest.fixture(scope="session")
def prism(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prism mocking the example pages' bundle; skipped where it cannot be installed."""
    with prism_mocking(read_specs(build.specs), tmp_path_factory.mktemp("prism")) as url:
        yield url
