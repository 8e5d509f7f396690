"""Notifications: verified, then decrypted; every kind of hostile input refused with its own error."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from .conftest import fast, rt
from .fake_server import FakeWeChatPay, Signer
from .helpers import make_client, wait

RESOURCE = {"mchid": "1230000109", "out_trade_no": "T1", "trade_state": "SUCCESS", "amount": {"total": 100}}


@pytest.fixture(params=["sync", "async"])
async def c(request: pytest.FixtureRequest, server: FakeWeChatPay) -> AsyncIterator[Any]:
    async with make_client(request.param, server) as client:
        yield client


async def test_valid_notification(c: Any, server: FakeWeChatPay) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    result = await wait(c.parse_notification({k.lower(): v for k, v in headers.items()}, body))
    assert result["resource"] == RESOURCE and result["event_type"] == "TRANSACTION.SUCCESS"
    assert result["resource_raw"]["algorithm"] == "AEAD_AES_256_GCM"


async def test_public_key_notification(pubkey_signer: Signer) -> None:
    with FakeWeChatPay.create(signers=[pubkey_signer]) as server:
        async with make_client("async", server) as client:
            headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
            assert (await client.parse_notification(headers, body))["resource"] == RESOURCE


async def test_forged_signature(c: Any, server: FakeWeChatPay) -> None:
    headers, body = server.make_notification(
        "TRANSACTION.SUCCESS", RESOURCE, signer=Signer(server.signer.key_id, Signer.platform().key)
    )
    with pytest.raises(rt.SignatureVerificationError):
        await wait(c.parse_notification(headers, body))


async def test_probe_signature(c: Any, server: FakeWeChatPay) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"]
    with pytest.raises(rt.SignatureVerificationError, match="probe"):
        await wait(c.parse_notification(headers, body))


async def test_wrong_serial(c: Any, server: FakeWeChatPay) -> None:
    c._certificates.interval = 0.0
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE, signer=Signer.platform())
    with pytest.raises(rt.UnknownSerialError):
        await wait(c.parse_notification(headers, body))
    assert server.requests == []  # a notification never starts a download: anyone can post one


async def test_rotated_certificate_after_refresh(c: Any, server: FakeWeChatPay) -> None:
    rotated = Signer.platform()
    server.signers[rotated.key_id] = rotated
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE, signer=rotated)
    with pytest.raises(rt.UnknownSerialError):
        await wait(c.parse_notification(headers, body))
    await wait(c.refresh_certificates())  # what the merchant does (or the client's next call meeting the serial)
    assert (await wait(c.parse_notification(headers, body)))["resource"] == RESOURCE


@pytest.mark.parametrize("shift", [-300, 300, -3600])
async def test_replay_outside_window(c: Any, server: FakeWeChatPay, shift: int) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE, timestamp=int(time.time()) + shift)
    with pytest.raises(rt.TimestampOutOfWindowError):
        await wait(c.parse_notification(headers, body))


async def test_tampered_ciphertext_signed_by_the_service(c: Any, server: FakeWeChatPay) -> None:
    _, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    envelope = json.loads(body)
    ciphertext = envelope["resource"]["ciphertext"]
    envelope["resource"]["ciphertext"] = ("A" if ciphertext[0] != "A" else "B") + ciphertext[1:]
    body = json.dumps(envelope).encode()
    with pytest.raises(rt.DecryptionError):
        await wait(c.parse_notification(server.sign_headers(body), body))


async def test_wrong_apiv3_key(server: FakeWeChatPay) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    async with make_client("sync", server, apiv3_key="f" * 32) as client:
        with pytest.raises(rt.DecryptionError):
            client.parse_notification(headers, body)


async def test_truncated_body(c: Any, server: FakeWeChatPay) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    with pytest.raises(rt.SignatureVerificationError):
        await wait(c.parse_notification(headers, body[:-10]))


@pytest.mark.parametrize(
    "body", [b"not json", b"[1,2]", b'{"resource": "x"}', b'{"resource":{"algorithm":"ROT13","ciphertext":"x"}}']
)
async def test_signed_but_malformed(c: Any, server: FakeWeChatPay, body: bytes) -> None:
    with pytest.raises(rt.MalformedPayloadError):
        await wait(c.parse_notification(server.sign_headers(body), body))


async def test_oversized_body(c: Any, server: FakeWeChatPay) -> None:
    body = b"{" + b" " * (1 << 20) + b"}"
    with pytest.raises(rt.PayloadTooLargeError):
        await wait(c.parse_notification(server.sign_headers(body), body))


async def test_missing_headers(c: Any, server: FakeWeChatPay) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    del headers["Wechatpay-Nonce"]
    with pytest.raises(rt.SignatureVerificationError, match="missing"):
        await wait(c.parse_notification(headers, body))


# -- APIv2 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sign_type", ["MD5", "HMAC-SHA256"])
def test_v2_payment_notification(client: Any, server: FakeWeChatPay, sign_type: str) -> None:
    body = server.v2_notification({"return_code": "SUCCESS", "out_trade_no": "T1", "total_fee": "1"}, sign_type)
    assert client.parse_v2_notification(body)["out_trade_no"] == "T1"
    with pytest.raises(rt.SignatureVerificationError):
        client.parse_v2_notification(body.replace(b"<total_fee>1<", b"<total_fee>2<"))


def test_v2_refund_notification(client: Any, server: FakeWeChatPay) -> None:
    body = server.v2_refund_notification({"out_refund_no": "R1", "refund_status": "SUCCESS", "refund_fee": "1"})
    assert client.parse_v2_notification(body) == {
        "req_info": {"out_refund_no": "R1", "refund_status": "SUCCESS", "refund_fee": "1"}
    }


def test_v2_refund_with_wrong_key(server: FakeWeChatPay) -> None:
    body = server.v2_refund_notification({"out_refund_no": "R1"})
    client = rt.SyncClientBase(**{**server.client_settings(), "apiv2_key": "a" * 32})
    with pytest.raises(rt.DecryptionError):
        client.parse_v2_notification(body)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><a>&x;</a></xml>',
            rt.UnsafeXMLError,
        ),
        (b'<!DOCTYPE xml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><a>&b;</a></xml>', rt.UnsafeXMLError),
        (b"<xml><a>1</a>", rt.MalformedPayloadError),
        (b"<xml><return_code>SUCCESS</return_code></xml>", rt.SignatureVerificationError),
        (b"<xml>" + b"<a>1</a>" * 200_000 + b"</xml>", rt.PayloadTooLargeError),
    ],
)
def test_v2_hostile(client: Any, body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        client.parse_v2_notification(body)


def test_replies() -> None:
    ok = rt.notification_success()
    assert ok.status_code == 200 and json.loads(ok.body) == {"code": "SUCCESS", "message": "成功"}
    fail = rt.notification_failure("库存不足")
    assert fail.status_code == 500 and json.loads(fail.body) == {"code": "FAIL", "message": "库存不足"}
    with pytest.raises(ValueError):
        rt.notification_failure(status_code=200)
    assert (
        rt.v2_notification_reply()
        == b"<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
    )
    assert b"<![CDATA[FAIL]]>" in rt.v2_notification_reply(False, "bad ]]> data")


# -- every single-byte mutation of a valid notification is rejected -------------------------------------


@pytest.fixture(scope="module")
def mutation_case(signer: Signer) -> Any:
    with FakeWeChatPay.create(signers=[signer]) as server:
        client = fast(rt.SyncClientBase(**server.client_settings()))
        headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
        yield client, headers, body
        client.close()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_mutation_is_rejected(mutation_case: Any, data: st.DataObject) -> None:
    client, headers, body = mutation_case
    client._certificates.start()  # no certificate download per example
    target = data.draw(
        st.sampled_from(["body", "Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial"])
    )
    original = body if target == "body" else headers[target].encode()
    index = data.draw(st.integers(0, len(original) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != original[index]))
    mutated = original[:index] + bytes([replacement]) + original[index + 1 :]
    if target == "Wechatpay-Serial":
        # a serial is a number: another spelling of the same one ('b' for 'B') names the same key
        assume(mutated.upper().lstrip(b"0") != original.upper().lstrip(b"0"))
    if target == "body":
        new_headers, new_body = headers, mutated
    else:
        new_headers, new_body = {**headers, target: mutated.decode("latin-1")}, body
    with pytest.raises(rt.WeChatPayError):
        client.parse_notification(new_headers, new_body)


@pytest.mark.parametrize("timestamp", ["²795767609", "-1", "1e9", " 1", ""])
def test_garbage_timestamp(client: Any, server: FakeWeChatPay, timestamp: str) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    with pytest.raises(rt.SignatureVerificationError):
        client.parse_notification({**headers, "Wechatpay-Timestamp": timestamp}, body)


@pytest.mark.parametrize("framework", ["django META", "upper case", "starlette-like"])
def test_notifications_from_web_frameworks(server: FakeWeChatPay, framework: str) -> None:
    """Django's `request.META` (`HTTP_WECHATPAY_SIGNATURE`), any casing, and a headers object with `items()`."""
    headers, body = server.make_notification("TRANSACTION.SUCCESS", {"out_trade_no": "T1"})
    if framework == "django META":
        given: Any = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()} | {"CONTENT_LENGTH": "1"}
    elif framework == "upper case":
        given = {k.upper(): v for k, v in headers.items()}
    else:
        given = httpx.Headers(headers)
    client = rt.SyncClientBase(**server.client_settings())
    assert client.parse_notification(given, body)["resource"]["out_trade_no"] == "T1"
