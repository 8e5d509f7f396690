"""`client.webhooks.parse(headers, body)`: a v3 notification verified, decrypted and read into its typed event."""

from __future__ import annotations

import importlib
import secrets
from types import ModuleType
from typing import Any

import pytest

from tests.runtime.fake_server import FakeWeChatPay

from .helpers import make_client, raises, wait

PAID = {
    "appid": "wx5e8d3c1a9b7f2460",
    "mchid": "1900012345",
    "out_trade_no": "ORD20240518093015001",
    "transaction_id": "4200002233202405183301234567",
    "trade_type": "JSAPI",
    "trade_state": "SUCCESS",
    "trade_state_desc": "支付成功",
    "bank_type": "CMC",
    "success_time": "2024-05-18T09:31:02+08:00",
    "payer": {"openid": "oX9vK5tq2Lm8PzR1cYwE3dN7bA6s"},
    "amount": {"total": 1280, "payer_total": 1180, "currency": "CNY"},
}


async def test_a_notification_becomes_its_typed_event(models: ModuleType, client: Any, server: FakeWeChatPay) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", PAID, summary="支付成功")
    event = await wait(client.webhooks.parse(headers, body))
    assert isinstance(event, models.TransactionSuccessEvent)
    assert isinstance(event.resource, models.TransactionSuccessEventResource)
    assert event.resource.model_dump(exclude_none=True) == PAID  # the decrypted resource, nothing lost
    assert (event.event_type, event.summary, event.resource.amount.payer_total) == (
        "TRANSACTION.SUCCESS",
        "支付成功",
        1180,
    )
    assert server.requests == []  # verified with the configured certificate: nothing downloaded


async def test_an_unknown_event_type_is_kept_whole(wechatpay: ModuleType, client: Any, server: FakeWeChatPay) -> None:
    notification = importlib.import_module(f"{wechatpay.__name__}.webhooks").Notification
    headers, body = server.make_notification("SOMETHING.NEW", {"anything": [1, 2]})
    event = await wait(client.webhooks.parse(headers, body))
    assert isinstance(event, notification) and event.resource == {"anything": [1, 2]}


@pytest.mark.parametrize("tamper", ["body", "signature"])
async def test_a_tampered_notification_is_refused(
    wechatpay: ModuleType, client: Any, server: FakeWeChatPay, tamper: str
) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", PAID, summary="支付成功")
    if tamper == "body":
        body = body.replace(b"TRANSACTION.SUCCESS", b"TRANSACTION.SUCCESS ")
    else:
        headers["Wechatpay-Signature"] = server.signer.sign(b"something else")
    await raises(wechatpay.SignatureVerificationError, lambda: client.webhooks.parse(headers, body))


async def test_a_resource_sealed_with_another_key_is_a_decryption_error(
    wechatpay: ModuleType, kind: str, server: FakeWeChatPay
) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", PAID, summary="支付成功")
    async with make_client(wechatpay, kind, server, apiv3_key=secrets.token_hex(16)) as client:
        await raises(wechatpay.DecryptionError, lambda: client.webhooks.parse(headers, body))
