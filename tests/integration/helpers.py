"""Driving the generated sync and async clients with the same test code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

import pytest

from tests.runtime.conftest import fast
from tests.runtime.fake_server import FakeRequest, FakeWeChatPay
from tests.runtime.helpers import wait

__all__ = ["make_client", "raises", "recording", "sequence", "wait"]


@asynccontextmanager
async def make_client(package: ModuleType, kind: str, server: FakeWeChatPay, **settings: Any) -> AsyncIterator[Any]:
    """A generated `Client` ("sync") or `AsyncClient` ("async") of the fake service's merchant, retrying fast."""
    merged = {"max_retries": 2, **server.client_settings(), **settings}
    if kind == "sync":
        client = fast(package.Client(**merged))
        try:
            yield client
        finally:
            client.close()
    else:
        aclient = fast(package.AsyncClient(**merged))
        try:
            yield aclient
        finally:
            await aclient.aclose()


async def raises(expected: type[BaseException], call: Callable[[], Any], match: str | None = None) -> Any:
    """The `expected` exception raised by a sync call, or by awaiting an async one."""
    with pytest.raises(expected, match=match) as info:
        await wait(call())
    return info.value


def recording(server: FakeWeChatPay, method: str, path: str, answer: Any, **route: Any) -> list[FakeRequest]:
    """Route `method path` to `answer` (a value, a Reply, or a function of the request); the requests it saw."""
    seen: list[FakeRequest] = []

    def handler(request: FakeRequest) -> Any:
        seen.append(request)
        return answer(request) if callable(answer) else answer

    server.route(method, path, handler, **route)
    return seen


def sequence(*answers: Any) -> Callable[[FakeRequest], Any]:
    """Answers given in turn, the last one repeated."""
    queue = list(answers)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]
