"""Auto-paging: `for item in client….iter(...)` walks a list operation page after page, and always ends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.runtime.fake_server import FakeWeChatPay

STOCKS = [f"S{i}" for i in range(7)]


@pytest.fixture
def fake() -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay.create() as service:
        yield service


def serving(fake: FakeWeChatPay, answer: Any) -> tuple[list[httpx.Request], httpx.MockTransport]:
    """A transport answering each page with `answer(offset, limit)`, signed; and the requests it saw."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        body = json.dumps(answer(offset, limit)).encode()
        return httpx.Response(200, content=body, headers=fake.sign_headers(body))

    return seen, httpx.MockTransport(handle)


def honest(offset: int, limit: int) -> dict[str, Any]:
    return {"total_count": len(STOCKS), "data": [{"stock_id": s} for s in STOCKS[offset : offset + limit]]}


def test_every_item_page_after_page(package: ModuleType, fake: FakeWeChatPay) -> None:
    seen, transport = serving(fake, honest)
    client = package.Client(**fake.client_settings(), http_client=httpx.Client(transport=transport))
    items = list(client.v3.marketing.favor.stocks.iter(offset=0, limit=3, stock_creator_mchid="1"))
    assert [i.stock_id for i in items] == STOCKS
    assert [r.url.params["offset"] for r in seen] == ["0", "3", "6"]  # the total ends it: no empty page asked for
    assert type(items[0]).__name__ == "MarketingFavorStocksGetResponseData"


def test_a_page_that_repeats_ends_the_walk(package: ModuleType, fake: FakeWeChatPay) -> None:
    seen, transport = serving(fake, lambda offset, limit: {"data": [{"stock_id": "same"}] * limit})  # ignores offset
    client = package.Client(**fake.client_settings(), http_client=httpx.Client(transport=transport))
    items = list(client.v3.marketing.favor.stocks.iter(offset=0, limit=2, stock_creator_mchid="1"))
    assert len(items) == 2 and len(seen) == 2


async def test_the_async_twin(package: ModuleType, fake: FakeWeChatPay) -> None:
    seen, transport = serving(fake, lambda offset, limit: {"data": [{"stock_id": s} for s in STOCKS[offset : offset + limit]]})
    async with package.AsyncClient(**fake.client_settings(), http_client=httpx.AsyncClient(transport=transport)) as client:
        items = [i.stock_id async for i in client.v3.marketing.favor.stocks.iter(offset=2, limit=4, stock_creator_mchid="1")]
    assert items == STOCKS[2:] and [r.url.params["offset"] for r in seen] == ["2", "6"]  # a short page ends it
