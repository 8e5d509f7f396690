"""Real samples of the service's answers, notifications and requests through the package generated from the corpus.

A verified answer is the service's word: every response sample becomes a typed result and every notification
sample its typed event, through the code a call takes. Requests are refused only for what the page says without
doubt; the refusals on the visible samples are listed below, each with its reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from generator.codegen.model import Api
from tests.runtime.fake_server import FakeWeChatPay

from .samples import (
    Sample,
    Tally,
    check_requests,
    load_samples,
    operations_by_page,
    read_notifications,
    read_responses,
)

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def samples(samples_dir: Path) -> list[Sample]:
    return load_samples(samples_dir)


@pytest.fixture(scope="module")
def fake() -> object:
    with FakeWeChatPay.create() as service:
        yield service


def report(name: str, tally: Tally) -> None:
    print(f"{name}: {dict(tally.outcomes)}; fields declared {tally.declared_share:.1%}")
    for failure in tally.failures:
        print("   ", failure)


# Response samples that are failure answers: a typed APIStatusError is their right reading.
FAILURE_ANSWERS = {
    "responses/v2/RedeclareMerchantCustomsCustomDeclarationResponse.json": "an empty template: return_code ''",
    "responses/v2/ToolsAuthCodeToOpenIdResponse.json": "an empty template: return_code ''",
}


def test_every_response_sample_becomes_a_typed_result(
    corpus_package: ModuleType, corpus_api: Api, samples: list[Sample], fake: FakeWeChatPay
) -> None:
    tally = read_responses(corpus_package, corpus_api, samples, fake)
    report("responses", tally)
    assert tally.outcomes["raised"] == 0 and tally.outcomes["dropped"] == 0, "\n".join(tally.failures)
    failures = {failure.split(":", 1)[0] for failure in tally.failures}
    assert failures == set(FAILURE_ANSWERS), "\n".join(tally.failures)
    assert tally.outcomes["typed"] + tally.outcomes["typed, with disagreements"] > 300
    assert tally.declared_share > 0.95


def test_strict_responses_raise_on_the_samples_that_break_their_page(
    corpus_package: ModuleType, corpus_api: Api, samples: list[Sample], fake: FakeWeChatPay
) -> None:
    lenient = read_responses(corpus_package, corpus_api, samples, fake)
    strict = read_responses(corpus_package, corpus_api, samples, fake, strict_responses=True)
    disagreeing = lenient.outcomes["typed, with disagreements"]
    assert disagreeing > 0 and strict.outcomes["raised"] == disagreeing
    assert all("ResponseValidationError" in failure for failure in strict.failures if "(expected)" not in failure)


def test_every_notification_sample_becomes_its_typed_event(
    corpus_package: ModuleType, samples: list[Sample], fake: FakeWeChatPay
) -> None:
    tally = read_notifications(corpus_package, samples, fake)
    report("notifications", tally)
    assert tally.outcomes["raised"] == 0, "\n".join(tally.failures)
    assert not any(outcome.startswith("untyped") for outcome in tally.outcomes), "every sample's event type is documented"
    assert tally.declared_share > 0.85


# The visible request samples the check refuses, and why: each breaks what its page says without doubt (a field
# the page requires, a value outside the page's enum, a type the page gives otherwise) or misspells a documented
# field. None is refused for a field the page makes either-or.
REQUIRED = "the page marks it required; the sample leaves it out"
ENUM = "a value outside the page's enum"
REFUSED: dict[str, str] = {
    "requests/v2/AddSubMerchantInstitutionRequest.json": f"app_download, director_name and six more: {REQUIRED}",
    "requests/v2/ApplyVehiclePayRequest.json": f"trade_scene: {ENUM}; scene_info's fields of other types than the page's",
    "requests/v2/CreateDepositFacePayRequest.json": f"fee_type: {REQUIRED}; sign_type: the page allows HMAC-SHA256 only",
    "requests/v2/CreateDepositMicroPayRequest.json": f"fee_type: {REQUIRED}; sign_type: {ENUM} (a leading space)",
    "requests/v2/CreatePayMarketingTransfersPromotionWeWorkTransferRequest.json": f"check_name: {ENUM}",
    "requests/v2/ModifyMicroMerchantArchivesRequest.json": f"bank_address_code, cert_sn: {REQUIRED}",
    "requests/v2/NotifyVehiclePartnerPayRequest.json": f"sub_appid: {REQUIRED}; scene_info.free_time: a number, the page says string",
    "requests/v2/NotifyVehiclePayRequest.json": "scene_info.free_time: a number, the page says string; space_number required",
    "requests/v2/QueryMerchantCustomsCustomDeclarationRequest.json": f"sign_type: the page allows MD5 only; customs: {ENUM}",
    "requests/v2/ReverseDepositOrderRequest.json": f"sign_type: {ENUM} (a leading space)",
    "requests/v3-global/CreatePartnerTransactionMWebRequest.json": "detail: an object; the page (table and example) says a list",
    "requests/v3-global/CreatePartnerTransactionMicroPayRequest.json": "detail: an object; the page says a list",
    "requests/v3-global/CreateTransactionAppRequest.json": "detail: an object; the page (table and example) says a list",
    "requests/v3-global/CreateTransactionMicroPayRequest.json": "detail: an object; the page says a list",
    "requests/v3/CreateEcommerceAccountCancelWithdrawApplicationRequest.json": f"id_doc_type: {ENUM}",
    "requests/v3/CreateEcommerceApplymentForSubmitAccountHostingRequest.json": f"id_doc_type: {ENUM}; business_time: a string",
    "requests/v3/CreateEcommerceProfitSharingAftersaleOrderRequest.json": f"type, scene: {ENUM}",
    "requests/v3/CreateEducationSchoolPayTransactionRequest.json": f"notify_url: {REQUIRED}",
    "requests/v3/CreateFundAppMerchantTransferToQQWalletBillRequest.json": f"transfer_scene_report_infos: {REQUIRED}",
    "requests/v3/CreateFundsToOverseaReturnOrderRequest.json": f"supplement_info: {REQUIRED}",
    "requests/v3/CreateMerchantOperationManageEnhancedDueDiligenceSubmitRequest.json": "item_id: numbers; the page says string",
    "requests/v3/CreateTaxiInvoiceCardRequest.json": f"driver_license, plate_number, trade_number: {REQUIRED}",
    "requests/v3/ReverseNewTaxControlFapiaoApplicationRequest.json": f"reverse_reason: {ENUM}",
    "requests/v3/SyncCateringOrderStatusRequest.json": f"channel_id: {REQUIRED}",
    "requests/v3/UploadMerchantManageSubmissionFileRequest.json": f"meta.item_id: {REQUIRED}",
}


def test_request_samples_pass_the_check(
    corpus_package: ModuleType, corpus_api: Api, samples: list[Sample], fake: FakeWeChatPay
) -> None:
    tally = check_requests(corpus_package, corpus_api, samples, fake)
    report("requests", tally)
    checked = sum(tally.outcomes.values())
    print(f"requests passing the check: {tally.outcomes['passes']} of {checked} ({tally.outcomes['passes'] / checked:.1%})")
    refused = {failure.split(":", 1)[0]: failure for failure in tally.failures}
    operations = operations_by_page(corpus_api)
    for sample in samples:
        if sample.file in refused:
            _, op = operations[sample.page, sample.method]
            either_or = {name for group in op.either_or for alternative in group for name in alternative}
            assert not [n for n in either_or if f" {n}: Field required" in refused[sample.file]], refused[sample.file]
    assert set(refused) == set(REFUSED), "\n".join(v for k, v in refused.items() if k not in REFUSED)
    assert tally.outcomes["passes"] >= 0.85 * checked  # 176 of 201 (87.6%) on the 2026-08 snapshot's samples


@pytest.mark.parametrize(
    ("call_path", "method", "arguments", "answer"),
    [
        (  # the page copied the request's table into the answer's: description, notify_url "required"
            "v3/pay/transactions/out-trade-no/{out_trade_no}",
            "get",
            {"out_trade_no": "T1", "mchid": "1900000109"},
            {"out_trade_no": "T1", "trade_state": "NOTPAY"},
        ),
        (
            "v3/profitsharing/receivers/add",
            "post",
            {"appid": "wx1", "type": "MERCHANT_ID", "account": "190001", "relation_type": "STORE"},
            {"type": "MERCHANT_ID"},
        ),
    ],
)
def test_a_minimal_answer_is_a_typed_result(
    corpus_package: ModuleType, fake: FakeWeChatPay, call_path: str, method: str, arguments: dict[str, str], answer: dict[str, str]
) -> None:
    body = json.dumps(answer).encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body, headers=fake.sign_headers(body)))
    client = corpus_package.Client(**fake.client_settings(), http_client=httpx.Client(transport=transport))
    result = getattr(client.chain(call_path), method)(**arguments, validate_request=False)
    assert type(result).__name__.endswith("Response")
    assert all(getattr(result, key) == value for key, value in answer.items())
    missing = {d.field for d in result.doc_disagreements}
    assert missing and not missing & set(answer) and all(getattr(result, name) is None for name in missing)
