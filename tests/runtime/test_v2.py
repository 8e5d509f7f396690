"""APIv2 through the fake service: XML, MD5/HMAC-SHA256 signs, nonceless, FAIL answers, mTLS."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import rt
from .fake_server import FakeWeChatPay, Merchant, Reply, Signer, cert_pem, private_pem, v2_sign, v2_xml
from .helpers import make_client, wait


@pytest.fixture(params=["sync", "async"])
async def c(request: pytest.FixtureRequest, server: FakeWeChatPay) -> AsyncIterator[Any]:
    async with make_client(request.param, server) as client:
        yield client


UNIFIEDORDER = rt.Operation(
    "POST",
    "/pay/unifiedorder",
    api="v2",
    request_media="application/xml",
    response_media="application/xml",
    json_string_fields=("scene_info",),
)


@pytest.mark.parametrize("sign_type", [None, "MD5", "HMAC-SHA256"])
async def test_xml_call(c: Any, server: FakeWeChatPay, sign_type: str | None) -> None:
    server.route(
        "POST",
        "/pay/unifiedorder",
        lambda req: {
            "result_code": "SUCCESS",
            "prepay_id": "wx1",
            "echo": req.xml["body"],
            "scene": req.xml["scene_info"],
        },
    )
    body = {
        "appid": "wx1",
        "mch_id": "10000100",
        "body": "<商品> & 1",
        "total_fee": 1,
        "out_trade_no": "T1",
        "scene_info": {"store_info": {"id": "1"}},
    }
    if sign_type:
        body["sign_type"] = sign_type
    data = (await wait(c._send(UNIFIEDORDER, body=body))).xml()
    assert data["prepay_id"] == "wx1" and data["echo"] == "<商品> & 1"
    assert data["scene"] == '{"store_info":{"id":"1"}}'
    assert server.rejections == [] and server.requests[-1].xml["nonce_str"]


async def test_nonceless(c: Any, server: FakeWeChatPay) -> None:
    server.route("POST", "/tools/shorturl", lambda req: {"short_url": "x"}, nonceless=True)
    op = rt.Operation("POST", "/tools/shorturl", api="v2", request_media="application/xml", nonceless=True)
    assert (await wait(c._send(op, body={"long_url": "weixin://wxpay"}))).xml()["short_url"] == "x"


async def test_signed_query_without_a_body(c: Any, server: FakeWeChatPay) -> None:
    server.route("GET", "/appauth/getaccesstoken", lambda req: {"access_token": "t1"}, signed_query=True)
    op = rt.Operation(
        "GET", "/appauth/getaccesstoken", api="v2", response_media="application/xml", signed_query=True
    )
    query = {"mch_id": "10000100", "code": "c1", "sign_type": "HMAC-SHA256"}
    assert (await wait(c._send(op, query=query))).xml()["access_token"] == "t1"
    sent = server.requests[-1]
    assert server.rejections == [] and sent.body == b"" and set(sent.query) == {*query, "sign"}


async def test_query_beside_a_signed_xml_body(c: Any, server: FakeWeChatPay) -> None:
    server.route("POST", "/secapi/mch/submchmanage", lambda req: {"echo": req.query["action"]})
    op = rt.Operation("POST", "/secapi/mch/submchmanage", api="v2", request_media="application/xml")
    answer = await wait(c._send(op, query={"action": "add"}, body={"merchant_name": "m"}))
    assert answer.xml()["echo"] == "add"
    assert server.rejections == [] and "sign" not in server.requests[-1].query


async def test_sensitive_fields_are_encrypted_with_the_apiv2_rsa_key(c: Any, server: FakeWeChatPay) -> None:
    server.route("POST", "/mmpaysptrans/pay_bank", lambda req: {"echo": server.decrypt_v2(req.xml["enc_bank_no"])})
    op = rt.Operation("POST", "/mmpaysptrans/pay_bank", api="v2", encrypted_fields=("enc_bank_no",))
    answer = await wait(c._send(op, body={"mch_id": "10000100", "enc_bank_no": "6225880000000000"}))
    assert answer.xml()["echo"] == "6225880000000000" and server.rejections == []  # signed over the ciphertext


async def test_sensitive_apiv2_fields_need_the_rsa_key(server: FakeWeChatPay) -> None:
    settings = {k: v for k, v in server.client_settings().items() if k != "apiv2_rsa_public_key"}
    op = rt.Operation("POST", "/mmpaysptrans/pay_bank", api="v2", encrypted_fields=("enc_bank_no",))
    with rt.SyncClientBase(**settings) as client, pytest.raises(rt.ConfigurationError, match="apiv2_rsa_public_key"):
        client._send(op, body={"enc_bank_no": "6225880000000000"})
    assert server.requests == []


async def test_return_code_fail(c: Any, server: FakeWeChatPay) -> None:
    server.route(
        "POST",
        "/pay/orderquery",
        lambda req: Reply(200, v2_xml({"return_code": "FAIL", "return_msg": "签名错误"}), signed=False),
    )
    with pytest.raises(rt.APIStatusError) as caught:
        await wait(
            c._send(rt.Operation("POST", "/pay/orderquery", api="v2", request_media="application/xml"), body={"a": "1"})
        )
    assert (caught.value.code, caught.value.message) == ("FAIL", "签名错误")


async def test_result_code_fail_is_a_typed_error_once_its_sign_verifies(c: Any, server: FakeWeChatPay) -> None:
    failure = {"result_code": "FAIL", "err_code": "ORDERNOTEXIST", "err_code_des": "订单不存在"}
    server.route("POST", "/pay/orderquery", lambda req: failure)
    op = rt.Operation("POST", "/pay/orderquery", api="v2", request_media="application/xml")
    with pytest.raises(rt.APIStatusError) as caught:
        await wait(c._send(op, body={"out_trade_no": "T1"}))
    assert (caught.value.code, caught.value.message) == ("ORDERNOTEXIST", "订单不存在")
    assert caught.value.detail["err_code"] == "ORDERNOTEXIST"
    forged = {"return_code": "SUCCESS", **failure, "sign": "0" * 32}
    server.route("POST", "/pay/orderquery", lambda req: Reply(200, v2_xml(forged), signed=False))
    with pytest.raises(rt.SignatureVerificationError):
        await wait(c._send(op, body={"out_trade_no": "T1"}))


async def test_service_rejects_wrong_key(server: FakeWeChatPay) -> None:
    server.route("POST", "/pay/orderquery", lambda req: {"trade_state": "SUCCESS"})
    async with make_client("sync", server, apiv2_key="0" * 32) as client:
        with pytest.raises(rt.APIStatusError, match="sign check failed"):
            client._send(rt.Operation("POST", "/pay/orderquery", api="v2"), body={"out_trade_no": "1"})
    assert server.rejections == ["sign"]


async def test_tampered_response_sign(c: Any, server: FakeWeChatPay) -> None:
    params = {"return_code": "SUCCESS", "result_code": "SUCCESS", "trade_state": "SUCCESS"}
    params["sign"] = v2_sign({**params, "trade_state": "NOTPAY"}, server.apiv2_key, "MD5")
    server.route("POST", "/pay/orderquery", lambda req: Reply(200, v2_xml(params), signed=False))
    with pytest.raises(rt.SignatureVerificationError):
        await wait(c._send(rt.Operation("POST", "/pay/orderquery", api="v2"), body={"out_trade_no": "1"}))


async def test_xxe_in_response_refused(c: Any, server: FakeWeChatPay) -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><return_code>&e;</return_code></xml>'
    server.route("POST", "/pay/orderquery", lambda req: Reply(200, evil, signed=False))
    with pytest.raises(rt.UnsafeXMLError):
        await wait(c._send(rt.Operation("POST", "/pay/orderquery", api="v2"), body={"out_trade_no": "1"}))


async def test_bill_text_answer(c: Any, server: FakeWeChatPay) -> None:
    server.route("POST", "/pay/downloadbill", lambda req: Reply(200, "交易时间,公众账号ID\n".encode(), signed=False))
    op = rt.Operation("POST", "/pay/downloadbill", api="v2", response_media="text/plain")
    assert (await wait(c._send(op, body={"bill_date": "20260101"}))).text.startswith("交易时间")


# -- mTLS ----------------------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Path, signer: Signer) -> Iterator[tuple[FakeWeChatPay, str]]:
    """An HTTPS fake service that asks for a client certificate and trusts the merchant's."""
    host = Merchant.create("localhost")
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    cert_file.write_text(cert_pem(host.certificate))
    key_file.write_text(private_pem(host.key))
    merchant = Merchant.create()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.verify_mode = ssl.CERT_OPTIONAL
    context.load_verify_locations(cadata=cert_pem(merchant.certificate))
    with FakeWeChatPay.create(signers=[signer], tls=context, merchant=merchant) as fake:
        yield fake, str(cert_file)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_client_certificate(kind: str, tls_server: tuple[FakeWeChatPay, str]) -> None:
    server, ca_file = tls_server
    server.route("POST", "/secapi/pay/refund", lambda req: {"refund_id": "R1"}, client_cert=True)
    op = rt.Operation("POST", "/secapi/pay/refund", api="v2", client_cert=True)
    plain = rt.Operation("POST", "/secapi/pay/refund", api="v2")
    body = {"out_refund_no": "R1", "total_fee": 1}
    async with make_client(kind, server, verify=ca_file, client_cert=cert_pem(server.merchant.certificate)) as client:
        assert (await wait(client._send(op, body=body))).xml()["refund_id"] == "R1"
        with pytest.raises(rt.PermissionDeniedError):
            await wait(client._send(plain, body=body))  # same call without the certificate
    async with make_client(kind, server, verify=ca_file) as client:
        with pytest.raises(rt.ConfigurationError, match="client_cert"):
            await wait(client._send(op, body=body))
