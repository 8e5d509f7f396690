"""`wechatpay.testing` as a merchant uses it: the generated package's own fake, on its httpx transport (sync and
async), on its local server, and as a signing proxy in front of Prism."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Any

import pytest

from tests.runtime.fake_server import Signer, new_key, private_pem

from .conftest import Build
from .helpers import raises, wait

ORDER = {
    "appid": "wx1",
    "description": "咖啡",
    "out_trade_no": "T1",
    "notify_url": "https://example.com/notify",
    "amount": {"total": 100},
    "payer": {"openid": "o1"},
}


@pytest.fixture
def fake(wechatpay: ModuleType, signer: Signer) -> Any:
    return wechatpay.testing.FakeWeChatPay.create(signers=[signer])


@asynccontextmanager
async def on_transport(wechatpay: ModuleType, kind: str, fake: Any, **settings: Any) -> AsyncIterator[Any]:
    """A `Client` or `AsyncClient` whose `http_client` (and `mtls_http_client`) is the fake's transport."""
    merged = {**fake.client_settings(), "strict_responses": True, **settings}
    if kind == "sync":
        with (
            fake.http_client() as http,
            fake.http_client(client_certificate=True) as mtls,
            wechatpay.Client(**merged, http_client=http, mtls_http_client=mtls) as client,
        ):
            yield client
    else:
        async with (
            fake.async_http_client() as http,
            fake.async_http_client(client_certificate=True) as mtls,
            wechatpay.AsyncClient(**merged, http_client=http, mtls_http_client=mtls) as client,
        ):
            yield client


def test_the_package_exposes_its_fake_lazily(build: Build) -> None:
    code = "import sys, wechatpay; assert 'wechatpay._runtime.testing' not in sys.modules; print(wechatpay.testing.__name__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=build.dist, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wechatpay.testing"


def test_the_fake_imports_as_a_module_of_its_own(build: Build) -> None:
    code = "import wechatpay.testing; from wechatpay.testing import FakeWeChatPay; print(FakeWeChatPay.__module__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=build.dist, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wechatpay._runtime.testing"


async def test_routed_answers_go_through_the_transport(wechatpay: ModuleType, kind: str, fake: Any) -> None:
    seen: list[dict[str, str]] = []

    def query(request: Any) -> dict[str, str]:
        seen.append(request.path_params)
        return {"appid": "wx1", "mchid": fake.merchant.mchid, "out_trade_no": "T1", "trade_state": "SUCCESS"}

    fake.route(
        "POST", "/v3/pay/transactions/jsapi", lambda request: {"prepay_id": "wx" + request.json()["out_trade_no"]}
    )
    fake.route("GET", "/v3/pay/transactions/id/{transaction_id}", query)
    async with on_transport(wechatpay, kind, fake, strict_responses=False) as client:
        order = await wait(client.v3.pay.transactions.jsapi.post(**ORDER))
        trade = await wait(client.v3.pay.transactions.id_.by_transaction_id("4200000001").get())
    assert order.prepay_id == "wxT1" and trade.trade_state == "SUCCESS"
    assert seen == [{"transaction_id": "4200000001"}]
    assert fake.rejections == [] and fake.requests[-1].query == {"mchid": fake.merchant.mchid}


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.v3.pay.transactions.jsapi.post(**ORDER),
        lambda c: c.v3.pay.transactions.id_.by_transaction_id("4200000001").get(),
        lambda c: c.v2.pay.orderquery.post(appid="wx1", transaction_id="4200000001"),
        lambda c: c.v3.merchant_service.complaint_notifications.get(),
        lambda c: c.v3.merchant_service.complaint_notifications.delete(),
    ],
    ids=["v3 order", "v3 query", "v2 query", "v3 get", "v3 no content"],
)
async def test_unrouted_operations_get_schema_valid_defaults(
    wechatpay: ModuleType, kind: str, fake: Any, call: Any
) -> None:
    """strict_responses: an answer missing a required field, or of another type than the page says, would raise."""
    async with on_transport(wechatpay, kind, fake) as client:
        result = await wait(call(client))
    assert result is None or result.doc_disagreements == ()
    assert fake.rejections == []


async def test_an_mtls_operation_goes_through_the_mtls_http_client(wechatpay: ModuleType, kind: str, fake: Any) -> None:
    """`mtls_http_client=` carries the operations that need the merchant certificate; the fake answers them only
    from a transport made with `client_certificate=True`, as the service answers only over mTLS."""
    refund = {
        "appid": "wx1",
        "transaction_id": "4200000001",
        "out_refund_no": "R1",
        "total_fee": 100,
        "refund_fee": 100,
    }
    async with on_transport(wechatpay, kind, fake, strict_responses=False) as client:
        await wait(client.v2.secapi.pay.refundv2.post(**refund))
        assert fake.requests[-1].peer_certificate is not None and fake.rejections == []
        client._mtls_http = client._http  # the plain transport: no certificate presented
        error = await raises(wechatpay.APIStatusError, lambda: client.v2.secapi.pay.refundv2.post(**refund))
    assert error.status_code == 403


async def test_a_request_signed_with_another_key_is_refused(wechatpay: ModuleType, kind: str, fake: Any) -> None:
    async with on_transport(wechatpay, kind, fake, private_key=private_pem(new_key())) as client:
        error = await raises(wechatpay.AuthenticationError, lambda: client.v3.pay.transactions.jsapi.post(**ORDER))
    assert error.code == "SIGN_ERROR" and fake.rejections == ["signature"]


async def test_an_answer_the_fake_signs_wrongly_is_refused(wechatpay: ModuleType, kind: str, fake: Any) -> None:
    fake.fault = "signature"
    async with on_transport(wechatpay, kind, fake) as client:
        await raises(wechatpay.SignatureVerificationError, lambda: client.v3.pay.transactions.jsapi.post(**ORDER))


async def test_make_notification_is_what_webhooks_parse_accepts(wechatpay: ModuleType, kind: str, fake: Any) -> None:
    headers, body = fake.make_notification("TRANSACTION.SUCCESS", {"out_trade_no": "T1", "trade_state": "SUCCESS"})
    async with on_transport(wechatpay, kind, fake, strict_responses=False) as client:
        event = await wait(client.webhooks.parse(headers, body))
        tampered = body.replace(b'"TRANSACTION.SUCCESS"', b'"REFUND.SUCCESS"')
        await raises(wechatpay.SignatureVerificationError, lambda: client.webhooks.parse(headers, tampered))
    assert event.event_type == "TRANSACTION.SUCCESS" and event.resource.out_trade_no == "T1"


def test_the_local_server_answers_as_the_transport_does(wechatpay: ModuleType, fake: Any) -> None:
    with fake, wechatpay.Client(**fake.client_settings(), strict_responses=True) as client:
        assert client.base_url == fake.base_url.rstrip("/") and fake.base_url.startswith("http://127.0.0.1:")
        assert client.v3.pay.transactions.jsapi.post(**ORDER).prepay_id == "prepay_id"
    assert fake.rejections == []


# -- a spec-validating mock behind the signing proxy (the `prism` fixture: conftest.py) -------------------


async def test_prism_behind_the_signing_proxy(wechatpay: ModuleType, kind: str, signer: Signer, prism: str) -> None:
    """Prism checks each request against the docs' schema and makes up the answer; the fake checks the signature
    and signs Prism's answer, so the client verifies it as the service's."""
    fake = wechatpay.testing.FakeWeChatPay.create(signers=[signer], upstream=prism)
    identity = {"type": "IDCARD", "number": "110101199003070000", "name": "张三"}  # encrypted: Wechatpay-Serial sent
    order = {**ORDER, "payer": {"openid": "o1", "identity": identity}}
    async with on_transport(wechatpay, kind, fake) as client:
        created = await wait(client.v3.pay.transactions.jsapi.post(**order))
        unchecked = {**order, "validate_request": False}
        del unchecked["amount"]
        error = await raises(wechatpay.APIStatusError, lambda: client.v3.pay.transactions.jsapi.post(**unchecked))
    assert isinstance(created.prepay_id, str) and created.doc_disagreements == ()
    assert error.status_code == 422  # Prism's verdict on a request the docs forbid, signed by the proxy
    assert fake.rejections == []
