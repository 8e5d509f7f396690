"""Driving the sync and async bases with the same test code."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from .conftest import fast, rt
from .fake_server import FakeWeChatPay


async def wait(value: Any) -> Any:
    """The result of a sync call, or of an async one."""
    return await value if inspect.isawaitable(value) else value


@asynccontextmanager
async def make_client(kind: str, server: FakeWeChatPay, **settings: Any) -> AsyncIterator[Any]:
    merged = {**server.client_settings(), **settings}
    if kind == "sync":
        client = fast(rt.SyncClientBase(**merged))
        try:
            yield client
        finally:
            client.close()
    else:
        aclient = fast(rt.AsyncClientBase(**merged))
        try:
            yield aclient
        finally:
            await aclient.aclose()
