"""Fixtures for the runtime: the runtime loaded as a package straight from templates/runtime, and a fake service."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .fake_server import FakeWeChatPay, Signer

RUNTIME_DIR = Path(__file__).resolve().parents[2] / "templates" / "runtime"
PACKAGE = "wechatpay_runtime_under_test"


def _load_runtime() -> Any:
    """templates/runtime imported as a package, as the generator will place it (relative imports only)."""
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    spec = importlib.util.spec_from_file_location(
        PACKAGE, RUNTIME_DIR / "__init__.py", submodule_search_locations=[str(RUNTIME_DIR)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)
    return module


rt = _load_runtime()


@pytest.fixture(scope="session")
def signer() -> Signer:
    return Signer.platform()


@pytest.fixture(scope="session")
def pubkey_signer() -> Signer:
    return Signer.public_key()


@pytest.fixture
def server(signer: Signer) -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay.create(signers=[signer]) as fake:
        yield fake


def fast(client: Any) -> Any:
    """No real sleeping between retries in tests."""
    client._retries = client._retries._replace(base_delay=0.001, max_delay=0.01)
    return client


@pytest.fixture
def client(server: FakeWeChatPay) -> Iterator[Any]:
    with fast(rt.SyncClientBase(**server.client_settings())) as c:
        yield c


@pytest.fixture
async def aclient(server: FakeWeChatPay) -> AsyncIterator[Any]:
    async with fast(rt.AsyncClientBase(**server.client_settings())) as c:
        yield c
