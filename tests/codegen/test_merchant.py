"""What the client holds, a call need not repeat: `mchid` (also as `sp_mchid`/`mch_id`), `appid` and `notify_url`
are filled into a call that leaves them out; a value given twice (in the path and as a keyword) is an error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.runtime.fake_server import FakeWeChatPay


@pytest.fixture
def fake() -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay.create() as service:
        yield service


class Recording:
    def __init__(self, fake: FakeWeChatPay) -> None:
        self.fake = fake
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = b'{"prepay_id":"wx1"}'
        return httpx.Response(200, content=body, headers=self.fake.sign_headers(body))


def client_with(package: ModuleType, fake: FakeWeChatPay, recording: Recording, **settings: Any) -> Any:
    http = httpx.Client(transport=httpx.MockTransport(recording))
    return package.Client(**fake.client_settings(), http_client=http, **settings)


def test_the_client_fills_what_it_holds(package: ModuleType, fake: FakeWeChatPay) -> None:
    recording = Recording(fake)
    client = client_with(package, fake, recording, appid="wx_app")
    client.v3.pay.transactions.jsapi.post(amount={"total": 1}, payer={"openid": "o1"})
    sent = json.loads(recording.requests[-1].content)
    assert (sent["mchid"], sent["appid"]) == (fake.merchant.mchid, "wx_app")
    client.v3.pay.transactions.jsapi.post(appid="wx_other", mchid="1900000001", amount={"total": 1}, payer={"openid": "o"})
    sent = json.loads(recording.requests[-1].content)
    assert (sent["mchid"], sent["appid"]) == ("1900000001", "wx_other")  # the call's own values win
    client.v3.pay.transactions.id_.by_transaction_id("42").get()
    assert recording.requests[-1].url.params["mchid"] == fake.merchant.mchid


def test_a_setting_the_client_lacks_is_still_required(package: ModuleType, fake: FakeWeChatPay) -> None:
    client = client_with(package, fake, Recording(fake))  # no appid
    with pytest.raises(package.RequestValidationError, match="appid: Field required"):
        client.v3.pay.transactions.jsapi.post(amount={"total": 1}, payer={"openid": "o1"})


def test_a_path_parameter_given_twice_is_an_error(package: ModuleType, fake: FakeWeChatPay) -> None:
    recording = Recording(fake)
    client = client_with(package, fake, recording)
    with pytest.raises(package.RequestValidationError, match="transaction_id: given in the path already"):
        client.v3.pay.transactions.id_.by_transaction_id("T1").get(transaction_id="T2")
    assert recording.requests == []
    client.chain("v3/pay/transactions/id/{transaction_id}").get(transaction_id="T2")
    assert recording.requests[-1].url.path == "/v3/pay/transactions/id/T2"
