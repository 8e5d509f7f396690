"""The generated client's APIv3 operations, sync and async, through the fake service over real HTTP."""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from generator.spec.io import load_yaml
from tests.runtime.fake_server import FakeRequest, FakeWeChatPay, Reply, Signer

from .conftest import Build
from .helpers import make_client, raises, recording, sequence, wait

JSAPI = "/v3/pay/transactions/jsapi"
SENSITIVE = ("number", "name")  # payer.identity fields documented `by-rsa-pubkey`
ORDER = {
    "appid": "wx1",
    "mchid": "1900012345",
    "out_trade_no": "O1",
    "trade_state": "SUCCESS",
    "trade_state_desc": "ok",
}
REQUEST_ID = re.compile(r"^req-[0-9a-f]{12}$")  # what the fake service sends as Request-ID


def request_example(build: Build, page: str, path: str, method: str) -> dict[str, Any]:
    """The request body example the docs give, as the session's build wrote it into the page's spec."""
    spec = load_yaml((build.specs / page).read_text(encoding="utf-8"), page)
    example: dict[str, Any] = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["example"]
    return example


@pytest.fixture(scope="session")
def pubkey_signer() -> Signer:
    return Signer.public_key()


@pytest.fixture(params=["platform certificate", "public key"])
def any_key_server(request: pytest.FixtureRequest, signer: Signer, pubkey_signer: Signer) -> Iterator[FakeWeChatPay]:
    """A service that signs (and expects sensitive fields encrypted) with a certificate, or with a public key."""
    with FakeWeChatPay.create(signers=[signer if request.param == "platform certificate" else pubkey_signer]) as fake:
        yield fake


async def test_json_post_with_nested_body_and_encrypted_fields(
    wechatpay: ModuleType, models: ModuleType, kind: str, any_key_server: FakeWeChatPay, build: Build
) -> None:
    server = any_key_server
    decrypted: list[dict[str, Any]] = []

    def handler(request: FakeRequest) -> Any:
        body = request.json()
        identity = body["payer"]["identity"]
        for name in SENSITIVE:  # as the service reads them: with the key Wechatpay-Serial names
            identity[name] = server.decrypt(request, identity[name])
        decrypted.append(body)
        return {"prepay_id": "wx201410272009395522657a690389285100", "unlisted": 1}

    seen = recording(server, "POST", JSAPI, handler)
    example = request_example(build, "openapi/v3/pay/transactions/jsapi.yaml", JSAPI, "post")
    sent = copy.deepcopy(example)
    async with make_client(wechatpay, kind, server) as client:
        result = await wait(client.v3.pay.transactions.jsapi.post(**sent))
    assert sent == example  # the caller's arguments are left as they were
    assert decrypted == [example]  # nested body intact, sensitive fields decrypted to what the test passed
    on_wire = seen[0].json()["payer"]["identity"]
    assert all(on_wire[name] != example["payer"]["identity"][name] for name in SENSITIVE)  # never in clear
    assert seen[0].headers["wechatpay-serial"] == server.signer.key_id
    assert isinstance(result, models.PayTransactionsJsapiPostResponse)
    assert result.prepay_id == "wx201410272009395522657a690389285100"
    assert result.model_extra == {"unlisted": 1}
    assert result.raw_response.status_code == 200
    assert server.rejections == []


PATH_FORMS = {
    "attribute": lambda c, no: c.v3.pay.transactions.out_trade_no.by_out_trade_no(no).close.post(mchid="1"),
    "chain": lambda c, no: c.chain("v3/pay/transactions/out-trade-no/{out_trade_no}/close").post(
        out_trade_no=no, mchid="1"
    ),
    "item": lambda c, no: c["v3/pay/transactions/out-trade-no/{out_trade_no}/close"].post(out_trade_no=no, mchid="1"),
}


@pytest.mark.parametrize("form", list(PATH_FORMS))
async def test_path_parameter_and_no_content(client: Any, server: FakeWeChatPay, form: str) -> None:
    """A `{placeholder}` bound by `by_<name>(...)` or by keyword, URL-quoted as one segment; 204 gives None."""
    quoted = "/v3/pay/transactions/out-trade-no/ORD%201%2F%E5%8D%95/close"
    seen = recording(server, "POST", quoted, None)
    assert await wait(PATH_FORMS[form](client, "ORD 1/单")) is None
    assert [(r.target, r.json()) for r in seen] == [(quoted, {"mchid": "1"})]  # the number is not in the body
    assert server.rejections == []


async def test_query_and_path_parameters(models: ModuleType, client: Any, server: FakeWeChatPay) -> None:
    seen = recording(server, "GET", "/v3/pay/transactions/id/4200002233", {**ORDER, "amount": {"total": 100}})
    by_attribute = await wait(client.v3.pay.transactions.id_.by_transaction_id("4200002233").get(mchid="1900012345"))
    by_item = await wait(client["v3/pay/transactions/id/{transaction_id}"].get(transaction_id="4200002233", mchid="2"))
    assert [(r.target, r.body) for r in seen] == [
        ("/v3/pay/transactions/id/4200002233?mchid=1900012345", b""),
        ("/v3/pay/transactions/id/4200002233?mchid=2", b""),
    ]
    for result in (by_attribute, by_item):
        assert isinstance(result, models.PayTransactionsByTransactionIdGetResponse)
        assert (result.trade_state, result.amount.total) == ("SUCCESS", 100)
    assert server.rejections == []  # the query string was signed as sent


async def test_multipart_upload_signs_the_meta(models: ModuleType, client: Any, server: FakeWeChatPay) -> None:
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    digest = hashlib.sha256(image).hexdigest()
    result = await wait(
        client.v3.merchant.media.upload.post(file=("a.png", image), meta={"filename": "a.png", "sha256": digest})
    )
    # The built-in route checks the sha256 and filename against the file part; the signature covers the meta JSON.
    assert isinstance(result, models.MerchantMediaUploadPostResponse)
    assert result.media_id == "media-" + digest[:16]
    assert server.requests[0].parts["file"] == (image, "a.png")
    assert server.rejections == []


async def test_bill_file_download(client: Any, server: FakeWeChatPay) -> None:
    bill = "交易时间,公众账号ID\n`2024-05-17 10:00:00,`wx1\n".encode()
    server.bills["Vq3dR8sKx2LmN0pA7cWb"] = bill
    assert await wait(client.v3.billdownload.file.get(token="Vq3dR8sKx2LmN0pA7cWb")) == bill


async def test_bill_file_with_a_bad_token_is_a_typed_error(wechatpay: ModuleType, client: Any) -> None:
    error = await raises(wechatpay.BadRequestError, lambda: client.v3.billdownload.file.get(token="nope"))
    assert (error.code, error.message) == ("PARAM_ERROR", "token invalid")


@pytest.mark.parametrize("digest", ["sha1 of the bill", "sha1 of something else"])
async def test_download_helper_checks_the_sha1(
    wechatpay: ModuleType, client: Any, server: FakeWeChatPay, digest: str
) -> None:
    """`client.download(download_url, hash_type=, hash_value=)`: the unsigned stream, its SHA-1 checked."""
    bill = "交易时间,公众账号ID\n".encode() * 100
    server.bills["T1"] = bill
    url = f"{server.base_url}/v3/billdownload/file?token=T1"
    expected = hashlib.sha1(bill if digest == "sha1 of the bill" else b"other").hexdigest()
    if digest == "sha1 of the bill":
        assert await wait(client.download(url, hash_type="SHA1", hash_value=expected)) == bill
    else:
        integrity = wechatpay._runtime.DownloadIntegrityError
        await raises(integrity, lambda: client.download(url, hash_type="SHA1", hash_value=expected), "digest")
    assert server.rejections == []  # the download request itself was signed


@pytest.mark.parametrize(
    ("status", "code", "error", "attempts"),
    [
        (400, "PARAM_ERROR", "BadRequestError", 1),
        (404, "ORDER_NOT_EXIST", "NotFoundError", 1),
        (429, "FREQUENCY_LIMITED", "RateLimitError", 3),  # retried: max_retries=2
        (500, "SYSTEM_ERROR", "InternalServerError", 3),
    ],
)
async def test_typed_errors(
    wechatpay: ModuleType, client: Any, server: FakeWeChatPay, status: int, code: str, error: str, attempts: int
) -> None:
    seen = recording(
        server, "GET", "/v3/pay/transactions/id/42", Reply.error(status, code, "订单不存在", {"field": "x"})
    )
    raised = await raises(
        getattr(wechatpay, error), lambda: client.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")
    )
    assert isinstance(raised, wechatpay.APIStatusError)
    assert (raised.status_code, raised.code, raised.message, raised.detail) == (
        status,
        code,
        "订单不存在",
        {"field": "x"},
    )
    assert REQUEST_ID.match(raised.request_id or "")
    assert raised.request_id in str(raised)
    assert len(seen) == attempts


async def test_a_503_on_a_get_is_retried(wechatpay: ModuleType, client: Any, server: FakeWeChatPay) -> None:
    seen = recording(
        server, "GET", "/v3/pay/transactions/id/42", sequence(Reply.error(503, "SYSTEM_ERROR", "busy"), ORDER)
    )
    result = await wait(client.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1"))
    assert result.out_trade_no == "O1" and result.raw_response.status_code == 200
    assert len(seen) == 2
    assert seen[0].headers["authorization"] != seen[1].headers["authorization"]  # signed afresh per attempt
    assert server.rejections == []  # a replayed nonce would have been refused


async def test_raw_responses_of_a_file_and_of_the_download_helper(client: Any, server: FakeWeChatPay) -> None:
    bill = "交易时间,公众账号ID\n".encode()
    server.bills["T2"] = bill
    raw = await wait(client.with_raw_response(client.v3.billdownload.file.get, token="T2"))
    assert raw.parsed == bill == raw.content and raw.status_code == 200 and raw.request_id
    url = f"{server.base_url}/v3/billdownload/file?token=T2"
    raw = await wait(client.with_raw_response(client.download, url, hash_type="SHA1", hash_value=hashlib.sha1(bill).hexdigest()))
    assert raw.parsed == bill and raw.status_code == 200
