"""Calling generated methods through the real runtime and a recording transport: what goes on the wire."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from generator.spec.io import load_yaml
from tests.runtime.fake_server import FakeWeChatPay, v2_sign, v2_xml

from .specs import JSAPI, UNIFIEDORDER


class Recorder:
    """An httpx transport that keeps every request and answers as WeChat Pay would, signed by the fake service."""

    def __init__(self, fake: FakeWeChatPay) -> None:
        self.fake = fake
        self.requests: list[httpx.Request] = []
        self.replies: dict[str, Any] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.get(request.url.path, {})
        if isinstance(reply, bytes):  # a file: unsigned
            return httpx.Response(200, content=reply, headers={"Content-Type": "application/octet-stream"})
        if request.url.path.startswith("/pay/"):
            params = {**reply, "nonce_str": "n1"}
            params["sign"] = v2_sign(params, self.fake.apiv2_key, "MD5")
            return httpx.Response(200, content=v2_xml(params), headers={"Content-Type": "text/xml"})
        body = b"" if reply is None else json.dumps(reply, ensure_ascii=False).encode()
        return httpx.Response(204 if reply is None else 200, content=body, headers=self.fake.sign_headers(body))

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


@pytest.fixture
def fake() -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay.create() as service:
        yield service


@pytest.fixture
def recorder(fake: FakeWeChatPay) -> Recorder:
    return Recorder(fake)


@pytest.fixture
def client(package: ModuleType, fake: FakeWeChatPay, recorder: Recorder) -> Iterator[Any]:
    with package.Client(**fake.client_settings(), http_client=httpx.Client(transport=httpx.MockTransport(recorder))) as c:
        yield c


@pytest.fixture
async def aclient(package: ModuleType, fake: FakeWeChatPay, recorder: Recorder) -> Any:
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    async with package.AsyncClient(**fake.client_settings(), http_client=http) as c:
        yield c


def example(text: str, path: str, method: str) -> dict[str, Any]:
    content = load_yaml(text, "fixture")["paths"][path][method]["requestBody"]["content"]
    example: dict[str, Any] = next(iter(content.values()))["example"]
    return example


def sent_json(recorder: Recorder) -> Any:
    body = json.loads(recorder.last.content)
    name = body["payer"]["identity"]["name"]  # encrypted by the runtime: read it as the service would
    body["payer"]["identity"]["name"] = recorder.fake.signer.decrypt(name)
    return body


JSAPI_EXAMPLE = example(JSAPI, "/v3/pay/transactions/jsapi", "post")


@pytest.mark.parametrize("form", ["attribute", "chain", "item"])
def test_the_json_body_sent_is_the_spec_example(client: Any, recorder: Recorder, form: str) -> None:
    recorder.replies["/v3/pay/transactions/jsapi"] = {"prepay_id": "wx1", "trade_state": "NEW_STATE", "extra": 1}
    resource = {
        "attribute": lambda: client.v3.pay.transactions.jsapi,
        "chain": lambda: client.chain("v3/pay/transactions/jsapi"),
        "item": lambda: client["v3/pay/transactions/jsapi"],
    }[form]()
    result = resource.post(**JSAPI_EXAMPLE)
    assert (recorder.last.method, recorder.last.url.path) == ("POST", "/v3/pay/transactions/jsapi")
    assert sent_json(recorder) == JSAPI_EXAMPLE
    assert result.prepay_id == "wx1"
    assert result.trade_state == "NEW_STATE"  # an enum value the docs do not list yet
    assert result.model_extra == {"extra": 1}
    assert result.raw_response.status_code == 200
    assert type(result).__name__ == "PayTransactionsJsapiPostResponse"


async def test_the_async_client_sends_the_same(aclient: Any, recorder: Recorder) -> None:
    recorder.replies["/v3/pay/transactions/jsapi"] = {"prepay_id": "wx2"}
    result = await aclient.v3.pay.transactions.jsapi.post(**JSAPI_EXAMPLE)
    assert sent_json(recorder) == JSAPI_EXAMPLE and result.prepay_id == "wx2"
    await aclient.chain("v3/pay/transactions/out-trade-no/{out_trade_no}/close").post(out_trade_no="T1", mchid="1")
    assert recorder.last.url.path == "/v3/pay/transactions/out-trade-no/T1/close"


def test_path_and_query_parameters(client: Any, recorder: Recorder) -> None:
    recorder.replies["/v3/pay/transactions/id/42"] = {"transaction_id": "42", "amount": {"total": 100}}
    result = client.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1230000109")
    assert recorder.last.url.path == "/v3/pay/transactions/id/42"
    assert dict(parse_qsl(recorder.last.url.query.decode())) == {"mchid": "1230000109"}
    assert result.amount.total == 100
    same = client.chain("v3/pay/transactions/id/{transaction_id}").get(transaction_id="42", mchid="1230000109")
    assert recorder.requests[-1].url == recorder.requests[-2].url and same.transaction_id == "42"


def test_the_v2_xml_body_sent_is_the_spec_example(package: ModuleType, client: Any, recorder: Recorder) -> None:
    recorder.replies["/pay/unifiedorder"] = {"return_code": "SUCCESS", "total_fee": "1"}
    sent = example(UNIFIEDORDER, "/pay/unifiedorder", "post")
    result = client.v2.pay.unifiedorder.post(**sent)
    wire = importlib.import_module(f"{package.__name__}._runtime.v2").parse_xml(recorder.last.content)
    assert "nonce_str" in wire and "sign" in wire  # filled by the runtime, not arguments
    assert {k: wire[k] for k in sent} == {"appid": sent["appid"], "total_fee": "1", "detail": '{"cost_price":608800}'}
    assert result.total_fee == 1  # "1" on the wire, an int in the model


def test_no_content_file_and_multipart(client: Any, recorder: Recorder) -> None:
    recorder.replies["/v3/pay/transactions/out-trade-no/T1/close"] = None
    assert client.v3.pay.transactions.out_trade_no.by_out_trade_no("T1").close.post(mchid="1") is None
    recorder.replies["/v3/billdownload/file"] = b"bill,data\n"
    assert client.v3.billdownload.file.get(token="t") == b"bill,data\n"
    recorder.replies["/v3/merchant/media/upload"] = {"media_id": "m1"}
    result = client.v3.merchant.media.upload.post(file=("a.png", b"\x89PNG"), meta={"filename": "a.png", "sha256": "x"})
    assert result.media_id == "m1"
    assert recorder.last.headers["content-type"].startswith("multipart/form-data")
    assert b"\x89PNG" in recorder.last.content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"amount": None}, "amount"),
        ({"amount": {"total": "100"}}, "amount.total: Input should be a valid integer"),
        ({"limit_pay": ["bogus"]}, "limit_pay.0: Input should be 'no_balance' or 'no_credit'"),
        ({"payer": {}}, "payer.openid: Field required"),
    ],
)
def test_a_wrong_call_is_a_clear_value_error_before_any_traffic(
    client: Any, recorder: Recorder, change: dict[str, Any], message: str
) -> None:
    arguments = {k: v for k, v in {**JSAPI_EXAMPLE, **change}.items() if v is not None}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        client.v3.pay.transactions.jsapi.post(**arguments)
    assert recorder.requests == []


def test_a_missing_path_parameter_is_a_value_error(client: Any, recorder: Recorder) -> None:
    with pytest.raises(ValueError, match="missing path parameter transaction_id"):
        client.chain("v3/pay/transactions/id/{transaction_id}").get(mchid="1")
    with pytest.raises(KeyError, match="no documented path"):
        client.chain("v3/pay/nothing")
    assert recorder.requests == []


def test_timeout_and_extra_headers_are_passed_per_call(client: Any, recorder: Recorder) -> None:
    recorder.replies["/v3/pay/transactions/id/1"] = {}
    client.v3.pay.transactions.id_.by_transaction_id("1").get(mchid="1", timeout=3.0, extra_headers={"X-Trace": "t"})
    assert recorder.last.headers["x-trace"] == "t"
    assert recorder.last.extensions["timeout"]["read"] == 3.0


def test_strict_responses_make_an_answer_that_does_not_fit_a_typed_error_without_its_values(
    package: ModuleType, fake: FakeWeChatPay, recorder: Recorder
) -> None:
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    client = package.Client(**fake.client_settings(), http_client=http, strict_responses=True)
    recorder.replies["/v3/pay/transactions/jsapi"] = {"prepay": "secret-value"}
    with pytest.raises(package.ResponseValidationError, match="prepay_id: Field required") as caught:
        client.v3.pay.transactions.jsapi.post(**JSAPI_EXAMPLE)
    assert "secret-value" not in str(caught.value) and caught.value.__cause__ is None
    assert caught.value.response.json() == {"prepay": "secret-value"}
    headers, body = fake.make_notification("TRANSACTION.SUCCESS", {"out_trade_no": 7, "amount": {"total": "secret-value"}})
    with pytest.raises(package.ResponseValidationError, match="out_trade_no: Input should be a valid string") as caught:
        client.webhooks.parse(headers, body)
    assert "secret-value" not in str(caught.value) and caught.value.response is None
    assert caught.value.notification["resource"] == {"out_trade_no": 7, "amount": {"total": "secret-value"}}


async def test_webhooks_are_typed_by_event_type(client: Any, aclient: Any, fake: FakeWeChatPay) -> None:
    headers, body = fake.make_notification("TRANSACTION.SUCCESS", {"out_trade_no": "T1", "amount": {"total": 1}})
    event = client.webhooks.parse(headers, body)
    assert type(event).__name__ == "TransactionSuccessEvent"
    assert event.resource.out_trade_no == "T1" and event.resource.amount.total == 1
    assert (await aclient.webhooks.parse(headers, body)).resource.out_trade_no == "T1"
    headers, body = fake.make_notification("SOMETHING.NEW", {"x": 1})
    assert type(client.webhooks.parse(headers, body)).__name__ == "Notification"
    v2 = client.webhooks.parse_v2("transaction-success", fake.v2_notification({"return_code": "SUCCESS", "total_fee": "7"}))
    assert v2.total_fee == 7


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"file": "a.png", "meta": {"filename": "a.png", "sha256": "x"}}, "file: Input should be a valid bytes"),
        ({"file": ("a.png", b"x", "image/png", 1), "meta": {"filename": "a", "sha256": "x"}}, "file: Tuple should have"),
        ({"file": b"x", "meta": {"filename": 1, "sha256": "x"}}, "meta.filename: Input should be a valid string"),
        ({"file": b"x", "meta": []}, "meta: Input should be a valid dictionary"),
    ],
)
def test_unions_tuples_and_nested_dicts_are_checked_before_any_traffic(
    client: Any, recorder: Recorder, arguments: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        client.v3.merchant.media.upload.post(**arguments)
    assert recorder.requests == []
