"""Wrong calls stop before the network; tampered requests are refused by the service; tampered answers by the client."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.runtime.fake_server import FakeWeChatPay, new_key, private_pem

from .helpers import make_client, raises, recording, wait

IDENTITY = {"type": "IDCARD", "number": "110101200001011234", "name": "李四"}
ORDER: dict[str, Any] = {
    "appid": "wx1",
    "mchid": "1900012345",
    "description": "笔",
    "out_trade_no": "O1",
    "notify_url": "https://shop.example.com/notify",
    "amount": {"total": 1280, "currency": "CNY"},
    "payer": {"openid": "o1", "identity": IDENTITY},
}


def jsapi(client: Any, **change: Any) -> Any:
    """The JSAPI order with `change` applied (None leaves an argument out)."""
    return client.v3.pay.transactions.jsapi.post(**{k: v for k, v in {**ORDER, **change}.items() if v is not None})


WRONG_CALLS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "missing required": (lambda c: jsapi(c, notify_url=None), r"notify_url: Field required"),
    "missing nested required": (
        lambda c: jsapi(c, payer={"identity": IDENTITY}),
        r"payer\.openid: Field required",
    ),
    "wrong enum": (
        lambda c: jsapi(c, amount={"total": 1, "currency": "USD"}),
        r"amount\.currency: Input should be 'CNY'",
    ),
    "wrong enum in a list": (lambda c: jsapi(c, limit_pay=["no_cash"]), r"limit_pay\.0: Input should be 'no_balance'"),
    "wrong type": (lambda c: jsapi(c, amount={"total": "1280"}), r"amount\.total: Input should be a valid integer"),
    "wrong enum in a query": (
        lambda c: c.v3.billdownload.file.get(token="t", tartype="ZIP"),
        r"tartype: Input should be 'GZIP'",
    ),
    "wrong enum in an XML body": (
        lambda c: c.v2.papay.querycontract.post(appid="wx1", mch_id="1", version="2.0"),
        r"version: Input should be '1\.0'",
    ),
    "missing path parameter": (
        lambda c: c.chain("v3/pay/transactions/id/{transaction_id}").get(mchid="1"),
        r"missing path parameter transaction_id",
    ),
}
WRONG_CALLS["unknown argument"] = (lambda c: jsapi(c, amout={"total": 1}), r"amout")


@pytest.mark.parametrize("case", list(WRONG_CALLS))
async def test_a_wrong_call_is_a_value_error_naming_the_field(
    wechatpay: ModuleType, client: Any, server: FakeWeChatPay, case: str
) -> None:
    call, message = WRONG_CALLS[case]
    error = await raises(ValueError, lambda: call(client), message)
    assert isinstance(error, wechatpay.RequestValidationError)
    assert IDENTITY["number"] not in str(error)  # a sensitive value never ends up in a message
    assert server.requests == []


def _add_query(request: httpx.Request) -> None:
    request.url = request.url.copy_add_param("mchid", "1999999999")


async def _add_query_async(request: httpx.Request) -> None:
    _add_query(request)


def _in_transit(kind: str) -> dict[str, Any]:
    """An http_client that changes the request after the SDK signed it (a proxy rewriting the URL)."""
    if kind == "sync":
        return {"http_client": httpx.Client(event_hooks={"request": [_add_query]})}
    return {"http_client": httpx.AsyncClient(event_hooks={"request": [_add_query_async]})}


TAMPERED: dict[str, tuple[Callable[[str, FakeWeChatPay], dict[str, Any]], str]] = {
    "another private key": (lambda kind, server: {"private_key": private_pem(new_key())}, "signature"),
    "another merchant serial": (
        lambda kind, server: {"merchant_serial_no": "5157F09EFDC096DE15EBE81A47057A72"},
        "serial_no",
    ),
    "URL changed after signing": (lambda kind, server: _in_transit(kind), "signature"),
}


@pytest.mark.parametrize("case", list(TAMPERED))
async def test_a_tampered_request_is_refused_by_the_service(
    wechatpay: ModuleType, kind: str, server: FakeWeChatPay, case: str
) -> None:
    settings, reason = TAMPERED[case]
    seen = recording(server, "GET", "/v3/pay/transactions/id/42", {"never": "answered"})
    async with make_client(wechatpay, kind, server, **settings(kind, server)) as client:
        error = await raises(
            wechatpay.AuthenticationError, lambda: client.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")
        )
    assert (error.status_code, error.code) == (401, "SIGN_ERROR")
    assert server.rejections == [reason] and seen == []  # refused once (a 401 is not retried), never handled


@pytest.mark.parametrize("fault", ["signature", "body", "skew", "unsigned"])
async def test_a_tampered_answer_is_refused_by_the_client(
    wechatpay: ModuleType, client: Any, server: FakeWeChatPay, fault: str
) -> None:
    seen = recording(server, "POST", "/v3/merchant-service/complaint-notifications", {"mchid": "1", "url": "https://a"})
    server.fault = fault
    await raises(
        wechatpay.SignatureVerificationError,
        lambda: client.v3.merchant_service.complaint_notifications.post(url="https://a"),
    )
    assert len(seen) == 1 and server.rejections == []  # the request was fine; the answer was not trusted
    server.fault = None
    answer = await wait(client.v3.merchant_service.complaint_notifications.post(url="https://a"))
    assert answer.url == "https://a"  # the same call succeeds once the answer is intact
