"""Real answers never break a call: a verified answer that disagrees with its page is returned, typed as far as the
page allows, its disagreements listed and logged; requests are refused only for what the docs say without doubt."""

from __future__ import annotations

import importlib
import json
import logging
import typing
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Literal

import httpx
import pytest

from tests.runtime.fake_server import FakeWeChatPay, v2_sign

from .samples import xml_of


class Service:
    """A transport answering each path with the body a test sets, signed as WeChat Pay signs it."""

    def __init__(self, fake: FakeWeChatPay) -> None:
        self.fake = fake
        self.answers: dict[str, Any] = {}
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[request.url.path]
        if not request.url.path.startswith("/v3/"):  # APIv2: XML, signed with the APIv2 key
            params = {**answer, "nonce_str": "n1"}
            params["sign"] = v2_sign({k: v for k, v in params.items() if isinstance(v, str)}, self.fake.apiv2_key, "MD5")
            return httpx.Response(200, content=xml_of(params), headers={"Content-Type": "text/xml"})
        body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        return httpx.Response(200, content=body, headers=self.fake.sign_headers(body))


@pytest.fixture
def fake() -> Iterator[FakeWeChatPay]:
    with FakeWeChatPay.create() as service:
        yield service


@pytest.fixture
def service(fake: FakeWeChatPay) -> Service:
    return Service(fake)


def make_client(package: ModuleType, fake: FakeWeChatPay, service: Service, **settings: Any) -> Any:
    http = httpx.Client(transport=httpx.MockTransport(service))
    return package.Client(**fake.client_settings(), http_client=http, **settings)


@pytest.fixture
def client(package: ModuleType, fake: FakeWeChatPay, service: Service) -> Any:
    return make_client(package, fake, service)


QUERY = "/v3/pay/transactions/id/42"


def test_a_minimal_answer_is_a_typed_result_with_its_disagreements(
    package: ModuleType, client: Any, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    service.answers[QUERY] = {"out_trade_no": "T1", "trade_state": "SUCCESS"}
    importlib.import_module(f"{package.__name__}._core")._logged.clear()  # what earlier tests logged already
    with caplog.at_level(logging.WARNING, logger="wechatpay"):
        result = client.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")
        again = client.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")
    assert type(result).__name__.endswith("Response")
    assert (result.out_trade_no, result.trade_state) == ("T1", "SUCCESS")
    assert result.transaction_id is None and result.amount is None
    assert [str(d) for d in result.doc_disagreements] == [
        "transaction_id: missing, though the docs mark it required",
        "amount: missing, though the docs mark it required",
    ]
    assert again.doc_disagreements == result.doc_disagreements
    assert all(isinstance(d, package.Disagreement) for d in result.doc_disagreements)
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2, "once per operation and field, not once per call"
    assert all(m.startswith("GET /v3/pay/transactions/id/{transaction_id}: differs from the docs") for m in logged)


def test_a_value_of_another_type_is_kept_as_received_and_the_rest_stays_typed(client: Any, service: Service) -> None:
    service.answers[QUERY] = {
        "transaction_id": "42",
        "out_trade_no": 17,  # a number where the page says string: pydantic refuses it in strict mode
        "trade_state": "SUCCESS",
        "amount": {"total": "lots", "currency": "CNY"},
        "promotion_detail": [{"coupon_id": "C1"}, {"coupon_id": ["C2"]}],
        "undocumented": {"kept": True},
    }
    result = client.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")
    assert result.transaction_id == "42" and result.trade_state == "SUCCESS"
    assert result.amount.total == "lots" and result.amount.currency == "CNY"  # nested: read leniently too
    assert type(result.amount).__name__.endswith("Amount")
    assert result.promotion_detail[0].coupon_id == "C1" and result.promotion_detail[1].coupon_id == ["C2"]
    assert result.undocumented == {"kept": True} and result.model_extra == {"undocumented": {"kept": True}}
    assert {d.field for d in result.doc_disagreements} == {"out_trade_no", "amount.total", "promotion_detail[].coupon_id"}
    assert result.out_trade_no == 17
    assert all("lots" not in str(d) for d in result.doc_disagreements), "never the value"
    assert result.raw_response.json()["amount"]["total"] == "lots"


def test_strict_responses_raise_where_the_lenient_client_reads(
    package: ModuleType, fake: FakeWeChatPay, service: Service
) -> None:
    service.answers[QUERY] = {"out_trade_no": "T1", "trade_state": "SUCCESS"}
    strict = make_client(package, fake, service, strict_responses=True)
    with pytest.raises(package.ResponseValidationError, match="transaction_id: Field required"):
        strict.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")


def test_bad_answers_still_get_their_typed_errors(package: ModuleType, client: Any, service: Service) -> None:
    service.answers[QUERY] = b"<html>not json</html>"
    with pytest.raises(package.MalformedPayloadError):
        client.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")

    def forged(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"out_trade_no": "T1"}, headers={**service.fake.sign_headers(b"{}")})

    tampered = package.Client(**service.fake.client_settings(), http_client=httpx.Client(transport=httpx.MockTransport(forged)))
    with pytest.raises(package.SignatureVerificationError):
        tampered.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")

    def stale(request: httpx.Request) -> httpx.Response:
        body = b'{"out_trade_no":"T1"}'
        return httpx.Response(200, content=body, headers=service.fake.sign_headers(body, timestamp=1_000_000_000))

    late = package.Client(**service.fake.client_settings(), http_client=httpx.Client(transport=httpx.MockTransport(stale)))
    with pytest.raises(package.TimestampOutOfWindowError):
        late.v3.pay.transactions.id_.by_transaction_id("42").get(mchid="1")


def test_a_body_the_page_says_never_comes_is_returned(client: Any, service: Service) -> None:
    service.answers["/v3/pay/transactions/out-trade-no/T1/close"] = {"points_commit_status": "PENDING"}
    result = client.v3.pay.transactions.out_trade_no.by_out_trade_no("T1").close.post(mchid="1")
    assert result.points_commit_status == "PENDING"
    assert [str(d) for d in result.doc_disagreements] == ["(the body): the docs promise no content; kept as received"]
    service.answers["/v3/pay/transactions/out-trade-no/T1/close"] = b""
    assert client.v3.pay.transactions.out_trade_no.by_out_trade_no("T1").close.post(mchid="1") is None


def test_raw_responses_for_models_none_and_bytes(client: Any, service: Service) -> None:
    service.answers[QUERY] = {"transaction_id": "42", "out_trade_no": "T", "trade_state": "SUCCESS", "amount": {}}
    raw = client.with_raw_response(client.v3.pay.transactions.id_.by_transaction_id("42").get, mchid="1")
    assert raw.status_code == 200 and raw.headers["Wechatpay-Serial"] and raw.request_id is None
    assert raw.parsed.transaction_id == "42" and raw.parse() is raw.parsed and json.loads(raw.content)["trade_state"]
    service.answers["/v3/pay/transactions/out-trade-no/T1/close"] = b""
    raw = client.with_raw_response(client.v3.pay.transactions.out_trade_no.by_out_trade_no("T1").close.post, mchid="1")
    assert raw.parsed is None and raw.status_code == 200 and raw.content == b""


async def test_raw_responses_async(package: ModuleType, fake: FakeWeChatPay, service: Service) -> None:
    service.answers[QUERY] = {"transaction_id": "42", "out_trade_no": "T", "trade_state": "SUCCESS", "amount": {}}
    http = httpx.AsyncClient(transport=httpx.MockTransport(service))
    async with package.AsyncClient(**fake.client_settings(), http_client=http) as aclient:
        raw = await aclient.with_raw_response(aclient.v3.pay.transactions.id_.by_transaction_id("42").get, mchid="1")
    assert raw.status_code == 200 and raw.parsed.out_trade_no == "T"


# -- notifications ------------------------------------------------------------------------------------------


def test_a_notification_is_always_its_typed_event(package: ModuleType, client: Any, fake: FakeWeChatPay) -> None:
    headers, body = fake.make_notification("TRANSACTION.SUCCESS", {"out_trade_no": 7, "surprise": [1]})  # a typed field of another type
    event = client.webhooks.parse(headers, body)
    assert type(event).__name__ == "TransactionSuccessEvent"
    assert event.event_type == "TRANSACTION.SUCCESS" and event.resource.out_trade_no == 7
    assert event.resource.surprise == [1]
    assert [d.field for d in event.doc_disagreements] == ["resource.out_trade_no"]


def test_event_type_is_a_literal_that_narrows_the_union(package: ModuleType) -> None:
    from importlib import import_module

    event = import_module(f"{package.__name__}.webhooks")
    hints = typing.get_type_hints(getattr(import_module(f"{package.__name__}.models"), "TransactionSuccessEvent"))
    assert hints["event_type"] == Literal["TRANSACTION.SUCCESS"]
    assert typing.get_type_hints(event.Notification)["event_type"] is str


def test_an_unknown_event_type_is_a_generic_typed_notification(client: Any, fake: FakeWeChatPay) -> None:
    headers, body = fake.make_notification("SOMETHING.NEW", {"anything": {"deep": 1}})
    event = client.webhooks.parse(headers, body)
    assert type(event).__name__ == "Notification"
    assert event.event_type == "SOMETHING.NEW" and event.resource == {"anything": {"deep": 1}}
    assert event.id and event.resource_raw["algorithm"] == "AEAD_AES_256_GCM"


# -- APIv2 answers --------------------------------------------------------------------------------------------

REFUNDQUERY = "/pay/refundquery"


def test_apiv2_indexed_families_and_nested_elements_are_typed(client: Any, service: Service) -> None:
    service.answers[REFUNDQUERY] = {
        "return_code": "SUCCESS",
        "refund_count": "2",
        "out_refund_no_0": "R0",
        "out_refund_no_1": "R1",
        "coupon_refund_fee_0_0": "5",
        "coupon_refund_fee_0_1": "6",
        "coupon_refund_fee_1_0": "7",
        "hblist": {"hbinfo": {"openid": "o1", "amount": "100"}},  # one item: XML cannot say it is a list
    }
    result = client.v2.pay.refundquery.post(appid="wx1", out_refund_no="R0")
    assert result.out_refund_no_n == ["R0", "R1"]
    assert result.coupon_refund_fee_n_m == [[5, 6], [7]]
    assert result.refund_count == 2 and result.out_refund_no_1 == "R1"  # the numbered keys stay as sent
    assert result.hblist.hbinfo[0].openid == "o1" and result.hblist.hbinfo[0].amount == 100
    assert result.doc_disagreements == ()
    service.answers[REFUNDQUERY]["hblist"] = {"hbinfo": [{"openid": "o1"}, {"openid": "o2"}]}
    assert [i.openid for i in client.v2.pay.refundquery.post(appid="wx1", refund_id="9").hblist.hbinfo] == ["o1", "o2"]


def test_a_json_string_whose_content_disagrees_is_read_as_far_as_it_fits(client: Any, service: Service) -> None:
    content = {"promotion_detail": [{"promotion_id": "P1", "amount": "a lot"}, {"promotion_id": "P2", "amount": 5}]}
    service.answers[REFUNDQUERY] = {"return_code": "SUCCESS", "refund_count": "1", "promotion_detail": json.dumps(content)}
    result = client.v2.pay.refundquery.post(appid="wx1", out_refund_no="R0")
    details = result.promotion_detail.promotion_detail
    assert [d.promotion_id for d in details] == ["P1", "P2"] and details[0].amount == "a lot" and details[1].amount == 5
    assert [d.field for d in result.doc_disagreements] == ["promotion_detail.promotion_detail[].amount"]


def test_a_json_string_holding_a_list_of_the_documented_object_under_its_name_is_read_as_sent(
    client: Any, service: Service
) -> None:
    content = {"coupon_detail": [{"coupon_id": "C1", "amount": 5}, {"coupon_id": "C2", "amount": "6"}]}
    service.answers[REFUNDQUERY] = {"return_code": "SUCCESS", "refund_count": "1", "coupon_detail": json.dumps(content)}
    result = client.v2.pay.refundquery.post(appid="wx1", out_refund_no="R0")
    assert [type(c).__name__ for c in result.coupon_detail] == ["V2PayRefundqueryPostResponseCouponDetail"] * 2
    assert [(c.coupon_id, c.amount) for c in result.coupon_detail] == [("C1", 5), ("C2", 6)]
    assert [str(d) for d in result.doc_disagreements] == [
        "coupon_detail: a list of the documented object under `coupon_detail`; read as sent"
    ]


def test_an_apiv2_answer_is_read_by_its_own_table(package: ModuleType, client: Any, service: Service) -> None:
    service.answers[REFUNDQUERY] = {"retcode": "0", "retmsg": "ok", "refund_count": "1"}
    result = client.v2.pay.refundquery.post(appid="wx1", out_refund_no="R0")
    assert result.refund_count == 1 and result.retcode == "0"
    service.answers[REFUNDQUERY] = {"retcode": "-1", "retmsg": "bad"}
    with pytest.raises(package.APIStatusError) as caught:
        client.v2.pay.refundquery.post(appid="wx1", out_refund_no="R0")
    assert caught.value.code == "-1"
    service.answers[REFUNDQUERY] = {"return_code": "FAIL", "return_msg": "签名错误"}
    with pytest.raises(package.APIStatusError):
        client.v2.pay.refundquery.post(appid="wx1", out_refund_no="R0")


# -- requests -----------------------------------------------------------------------------------------------


def test_an_either_or_group_asks_for_one_of_its_fields(package: ModuleType, client: Any, service: Service) -> None:
    service.answers[REFUNDQUERY] = {"return_code": "SUCCESS", "refund_count": "0"}
    for given in ("transaction_id", "out_trade_no", "out_refund_no", "refund_id"):
        client.v2.pay.refundquery.post(appid="wx1", **{given: "1"})
    sent = len(service.requests)
    with pytest.raises(package.RequestValidationError, match="one of transaction_id | out_trade_no"):
        client.v2.pay.refundquery.post(appid="wx1")
    assert len(service.requests) == sent


def test_a_call_the_docs_wrongly_forbid_can_be_sent(
    package: ModuleType, client: Any, fake: FakeWeChatPay, service: Service
) -> None:
    service.answers["/v3/pay/transactions/jsapi"] = {"prepay_id": "wx1"}
    post = client.v3.pay.transactions.jsapi.post
    with pytest.raises(package.RequestValidationError, match="amount: Field required"):
        post(appid="wx1", payer={"openid": "o"})
    post(appid="wx1", payer={"openid": "o"}, validate_request=False)  # per call
    assert "amount" not in json.loads(service.requests[-1].content)
    unchecked = make_client(package, fake, service, validate_request=False)  # per client
    unchecked.v3.pay.transactions.jsapi.post(appid="wx1", payer={"openid": "o"}, amount={"total": "1"})
    assert json.loads(service.requests[-1].content)["amount"] == {"total": "1"}
    with pytest.raises(package.RequestValidationError, match="amount.total: Input should be a valid integer"):
        post(appid="wx1", payer={"openid": "o"}, amount={"total": "1"})  # types stay checked by default


def test_an_argument_the_docs_do_not_list_is_sent_unless_it_looks_misspelt(
    package: ModuleType, client: Any, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    service.answers["/v3/pay/transactions/out-trade-no/T1/close"] = b""
    close = client.v3.pay.transactions.out_trade_no.by_out_trade_no("T1").close.post
    with caplog.at_level(logging.WARNING, logger="wechatpay"):
        close(mchid="1", sub_mchid="2")
    assert json.loads(service.requests[-1].content) == {"mchid": "1", "sub_mchid": "2"}
    assert "sub_mchid: not in the docs; sent as given" in caplog.text
    with pytest.raises(package.RequestValidationError, match="mchd: unknown argument; did you mean mchid"):
        close(mchd="1")


@pytest.mark.parametrize(
    ("given", "meant"),
    [("mchd", "mchid"), ("mcihd", "mchid"), ("mchidd", "mchid"), ("Mch_Id", "mchid"), ("mchix", "mchid")],
)
def test_a_slip_of_the_finger_is_refused(client: Any, given: str, meant: str) -> None:
    close = client.v3.pay.transactions.out_trade_no.by_out_trade_no("T1").close.post
    with pytest.raises(Exception, match=f"{given}: unknown argument; did you mean {meant}"):
        close(**{given: "1"})


@pytest.mark.parametrize("given", ["sp_mchid", "mch", "member_mchid"])
def test_a_name_merely_like_a_documented_one_is_sent(client: Any, service: Service, given: str) -> None:
    service.answers["/v3/pay/transactions/out-trade-no/T1/close"] = b""
    client.v3.pay.transactions.out_trade_no.by_out_trade_no("T1").close.post(mchid="1", **{given: "2"})
    assert json.loads(service.requests[-1].content) == {"mchid": "1", given: "2"}
