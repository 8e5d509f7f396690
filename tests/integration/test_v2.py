"""The generated client's APIv2 (XML) operations, sync and async, through the fake service over real HTTP."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import httpx

from tests.runtime.fake_server import FakeRequest, FakeWeChatPay, Reply, cert_pem, v2_sign, v2_xml
from tests.runtime.test_v2 import tls_server  # noqa: F401 - the HTTPS service that asks for a client certificate

from .helpers import make_client, raises, recording, wait

REFUND = {
    "appid": "wx5e8d3c1a9b7f2460",
    "mch_id": "1900012345",
    "sign_type": "HMAC-SHA256",
    "transaction_id": "4200002233202405183301234567",
    "out_refund_no": "RF20240519000101",
    "total_fee": 1280,
    "refund_fee": 640,
    "detail": {
        "receipt_id": "R-1",
        "goods_detail": [{"goods_id": "SKU-1", "refund_quantity": 1, "refund_amount": 640}],
    },
}
REFUNDED = {
    "result_code": "SUCCESS",
    "appid": "wx5e8d3c1a9b7f2460",
    "mch_id": "1900012345",
    "transaction_id": "4200002233202405183301234567",
    "out_refund_no": "RF20240519000101",
    "refund_id": "50000000382019052709732678859",
    "refund_fee": "640",
    "promotion_detail": '{"promotion_id":"P1","refund_amount":10}',
}
CONTRACT = {
    "result_code": "SUCCESS",
    "mch_id": "1900012345",
    "contract_id": "201905180000123456",
    "contract_state": "1",
    "contract_signed_time": "2024-05-18 10:00:00",
    "contract_expired_time": "2025-05-18 10:00:00",
}
QUERY_CONTRACT = {"appid": "wx5e8d3c1a9b7f2460", "mch_id": "1900012345", "plan_id": 20481, "version": "1.0"}


async def test_xml_call_with_client_certificate(
    wechatpay: ModuleType, models: ModuleType, kind: str, tls_server: tuple[FakeWeChatPay, str]  # noqa: F811
) -> None:
    """nonce_str and sign (HMAC-SHA256, as asked) filled by the runtime; the JSON `detail` sent as a string;
    the signed XML answer verified and read into the typed model."""
    server, ca_file = tls_server
    seen = recording(server, "POST", "/secapi/pay/refundv2", REFUNDED, client_cert=True)
    certificate = cert_pem(server.merchant.certificate)
    async with make_client(wechatpay, kind, server, verify=ca_file, client_cert=certificate) as client:
        result = await wait(client.v2.secapi.pay.refundv2.post(**REFUND))
    wire = seen[0].xml
    assert len(wire.pop("nonce_str")) >= 16 and wire.pop("sign")  # the service checked the sign: no rejection
    assert json.loads(wire.pop("detail")) == REFUND["detail"]
    assert wire == {k: str(v) for k, v in REFUND.items() if k != "detail"}
    assert seen[0].peer_certificate is not None and server.rejections == []
    assert isinstance(result, models.V2SecapiPayRefundv2PostResponse)
    assert (result.refund_fee, result.promotion_detail.refund_amount) == (640, 10)  # typed from XML strings


async def test_nonceless_xml_call(models: ModuleType, client: Any, server: FakeWeChatPay) -> None:
    seen = recording(server, "POST", "/papay/querycontract", CONTRACT, nonceless=True)
    result = await wait(client.v2.papay.querycontract.post(**QUERY_CONTRACT))
    assert "nonce_str" not in seen[0].xml and seen[0].xml["plan_id"] == "20481"
    assert server.rejections == []  # the fake service refuses a nonce_str on a nonceless route, and a wrong sign
    assert isinstance(result, models.V2PapayQuerycontractPostResponse) and result.contract_state == 1


def _signed_with(key: str, params: dict[str, str]) -> Reply:
    answer = {"return_code": "SUCCESS", "nonce_str": "n1", **params}
    answer["sign"] = v2_sign(answer, key, "MD5")
    return Reply(200, v2_xml(answer), {"Content-Type": "text/xml"}, signed=False)


async def test_an_answer_with_a_wrong_sign_is_refused(
    wechatpay: ModuleType, client: Any, server: FakeWeChatPay
) -> None:
    recording(server, "POST", "/papay/querycontract", _signed_with("another key", CONTRACT), nonceless=True)
    await raises(wechatpay.SignatureVerificationError, lambda: client.v2.papay.querycontract.post(**QUERY_CONTRACT))


async def test_return_code_fail_is_a_typed_error(wechatpay: ModuleType, client: Any, server: FakeWeChatPay) -> None:
    fail = Reply(200, v2_xml({"return_code": "FAIL", "return_msg": "签名错误"}), signed=False)
    recording(server, "POST", "/papay/querycontract", fail, nonceless=True)
    error = await raises(wechatpay.APIStatusError, lambda: client.v2.papay.querycontract.post(**QUERY_CONTRACT))
    assert (error.code, error.message) == ("FAIL", "签名错误")


async def test_v2_bill_download_returns_the_file(client: Any, server: FakeWeChatPay) -> None:
    bill = "交易时间,公众账号ID,商户号\n`2024-05-17 10:00:00,`wx1,`1900012345\n".encode()
    seen = recording(
        server, "POST", "/pay/downloadbill", Reply(200, bill, {"Content-Type": "text/plain"}, signed=False)
    )
    result = await wait(client.v2.pay.downloadbill.post(appid="wx1", mch_id="1900012345", bill_date="20240517"))
    assert seen[0].xml["nonce_str"] and server.rejections == []
    assert result == bill


async def test_v2_bill_download_failure_is_a_typed_error(
    wechatpay: ModuleType, client: Any, server: FakeWeChatPay
) -> None:
    def no_bill(request: FakeRequest) -> Reply:
        return Reply(
            200, v2_xml({"return_code": "FAIL", "return_msg": "No Bill Exist", "error_code": "20002"}), signed=False
        )

    recording(server, "POST", "/pay/downloadbill", no_bill)
    error = await raises(
        wechatpay.APIStatusError,
        lambda: client.v2.pay.downloadbill.post(appid="wx1", mch_id="1900012345", bill_date="20240517"),
    )
    assert (error.code, error.message, error.detail["error_code"]) == ("FAIL", "No Bill Exist", "20002")


async def test_a_redirect_page_is_a_signed_url_for_the_browser(client: Any, server: FakeWeChatPay) -> None:
    url = await wait(
        client.v2.papay.entrustweb.get(
            appid="wx5e8d3c1a9b7f2460",
            mch_id="1900012345",
            plan_id=20481,
            contract_code="CT1",
            request_serial=7001,
            contract_display_account="月度会员 & 续费",
            notify_url="https://shop.example.com/papay/notify",
            version="1.0",
            timestamp="1716000000",
        )
    )
    assert url.startswith("https://api.weixin.qq.com/papay/entrustweb?") and url.endswith("#wechat_redirect")
    query = dict(httpx.URL(url).params)
    assert query["contract_display_account"] == "月度会员 & 续费" and query["plan_id"] == "20481"
    assert query["sign"] == v2_sign({k: v for k, v in query.items() if k != "sign"}, server.apiv2_key, "MD5")
    assert server.requests == []  # built here: the browser goes there, not this client


async def test_a_redirect_page_has_its_raw_response_too(client: Any, server: FakeWeChatPay) -> None:
    arguments = {"appid": "wx5", "mch_id": "1900012345", "plan_id": 1, "contract_code": "C", "request_serial": 1}
    arguments |= {"contract_display_account": "a", "notify_url": "https://shop.example.com/n", "timestamp": "1716000000"}
    raw = await wait(client.with_raw_response(client.v2.papay.entrustweb.get, **arguments))
    assert raw.status_code == 302 and raw.headers["Location"] == raw.parsed and raw.content == b""
    assert dict(httpx.URL(raw.parsed).params)["version"] == "1.0"  # the one value the page allows, filled in
    assert server.requests == []
