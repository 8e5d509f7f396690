"""The README's merchant walk-through, run block by block from README.md on `wechatpay.testing`, with the package
built from the example pages: an order, a query, a refund, the payment notification through Flask's, FastAPI's and
Django's own test clients, the bill with its digest, logging, retries. A README block that breaks fails here, at
its README line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import ROOT

README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- walkthrough: (\w+) -->\n```python\n(.*?)\n```", re.DOTALL)
NOTIFY = "/wechatpay/notify"
ORDER_NO = "T20260101001"  # the order of the README's setup block and its notification


def readme_blocks() -> dict[str, str]:
    """Each walk-through block of the README by name, preceded by blank lines so that it keeps its line numbers."""
    text = README.read_text(encoding="utf-8")
    return {match[1]: "\n" * text.count("\n", 0, match.start(2)) + match[2] for match in BLOCK.finditer(text)}


BLOCKS = readme_blocks()


def run(name: str, namespace: dict[str, Any]) -> dict[str, Any]:
    exec(compile(BLOCKS[name], str(README), "exec"), namespace)  # noqa: S102 - the project's own README
    return namespace


@pytest.fixture
def walk(wechatpay: ModuleType) -> Iterator[dict[str, Any]]:
    """The namespace the blocks share, once the README's test set-up has run; `mark_paid` records orders."""
    paid: list[str] = []
    sdk_logger = logging.getLogger("wechatpay")
    level = sdk_logger.level
    yield run("setup", {"__name__": "walkthrough", "mark_paid": paid.append, "paid": paid})
    sdk_logger.setLevel(level)  # the logging block turns the SDK's DEBUG lines on


def test_the_readme_has_every_step() -> None:
    assert set(BLOCKS) == {"setup", "order", "flask", "fastapi", "django", "bill", "logging", "retries"}


def test_order_query_and_refund(walk: dict[str, Any]) -> None:
    run("order", walk)
    fake, settings = walk["fake"], walk["settings"]
    assert walk["order"].prepay_id == "wx20260101000000000000000001"
    assert walk["pay_params"]["package"] == "prepay_id=wx20260101000000000000000001"
    assert walk["trade"].trade_state == "SUCCESS" and walk["trade"].doc_disagreements == ()
    assert walk["refund"]["status"] == "PROCESSING" and walk["refund"]["out_refund_no"] == "R20260101001"
    sent = fake.requests[0].json()
    assert (sent["mchid"], sent["appid"], sent["notify_url"]) == (
        settings["mchid"],
        "wxd678efh567hg6787",
        "https://example.com/wechatpay/notify",
    )
    assert [request.path for request in fake.requests] == [
        "/v3/pay/transactions/jsapi",
        "/v3/pay/transactions/id/4200000000202601010000000001",
        "/v3/refund/domestic/refunds",
    ]
    assert fake.rejections == []


# -- the notification through each framework's own test client -----------------------------------------------


def flask_post(namespace: dict[str, Any], headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    response = namespace["app"].test_client().post(NOTIFY, data=body, headers=headers)
    return int(response.status_code), bytes(response.get_data())


def fastapi_post(namespace: dict[str, Any], headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    from fastapi.testclient import TestClient

    with TestClient(namespace["api"]) as client:
        response = client.post(NOTIFY, content=body, headers=headers)
    return response.status_code, response.content


DJANGO_URLS = ModuleType("walkthrough_urls")  # ROOT_URLCONF of the Django settings configured below


def django_post(namespace: dict[str, Any], headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    from django.test import Client
    from django.urls import clear_url_caches, path

    configure_django()
    DJANGO_URLS.urlpatterns = [path(NOTIFY.lstrip("/"), namespace["notify"])]  # type: ignore[attr-defined]
    clear_url_caches()
    others = {name: value for name, value in headers.items() if name.lower() != "content-type"}
    response = Client().post(NOTIFY, data=body, content_type=headers["Content-Type"], headers=others)
    return response.status_code, response.content


def configure_django() -> None:
    """Settings for a project of one view: Django's settings are global to the process, so made once."""
    import django
    from django.conf import settings

    if not settings.configured:
        sys.modules[DJANGO_URLS.__name__] = DJANGO_URLS
        settings.configure(
            ROOT_URLCONF=DJANGO_URLS.__name__, ALLOWED_HOSTS=["testserver"], SECRET_KEY="walkthrough", MIDDLEWARE=[]
        )
        django.setup()


POSTERS: dict[str, Callable[[dict[str, Any], dict[str, str], bytes], tuple[int, bytes]]] = {
    "flask": flask_post,
    "fastapi": fastapi_post,
    "django": django_post,
}


@pytest.mark.parametrize("framework", POSTERS)
def test_the_notification_in_each_framework(walk: dict[str, Any], framework: str) -> None:
    pytest.importorskip(framework)
    app = run(framework, dict(walk))
    headers, body = walk["headers"], walk["body"]
    status, answer = POSTERS[framework](app, headers, body)
    assert (status, answer) == (200, '{"code":"SUCCESS","message":"成功"}'.encode())
    assert walk["paid"] == [ORDER_NO]
    forged = body.replace(b"encrypt-resource", b"encrypt-resourcE")  # the signature no longer matches
    status, answer = POSTERS[framework](app, headers, forged)
    assert status == 500 and b'"code": "FAIL"' in answer
    assert walk["paid"] == [ORDER_NO]


def test_django_request_headers_are_accepted_as_meta_is(walk: dict[str, Any]) -> None:
    pytest.importorskip("django")
    from django.test import RequestFactory

    configure_django()
    headers, body = walk["headers"], walk["body"]
    others = {name: value for name, value in headers.items() if name.lower() != "content-type"}
    request = RequestFactory().post(NOTIFY, data=body, content_type=headers["Content-Type"], headers=others)
    for seen_as in (request.headers, request.META):
        assert walk["client"].webhooks.parse(seen_as, request.body).resource.out_trade_no == ORDER_NO


# -- the bill, logging, retries ---------------------------------------------------------------------------------


def test_the_bill_and_its_digest(walk: dict[str, Any], wechatpay: ModuleType) -> None:
    fake = walk["fake"]
    (token, bill), *_ = fake.bills.items()
    assert run("bill", walk)["content"] == bill
    fake.bills[token] = bill.replace(b"10:00:00", b"11:00:00")  # not the file the bill request announced
    with pytest.raises(wechatpay.DownloadIntegrityError):
        run("bill", walk)


def test_logging_of_requests_and_answers(walk: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="shop.payments")  # the handler too: the SDK logs at DEBUG
    run("logging", walk)
    lines = [(record.name, record.getMessage()) for record in caplog.records]
    url = "https://api.mch.weixin.qq.com/v3/pay/transactions/id/4200000000202601010000000001"
    sent = f"{url}?mchid={walk['settings']['mchid']}"  # the client's own mchid, filled in
    assert ("shop.payments", f"→ GET {sent} ") in lines
    answered = f"← 200 {sent} (Request-ID req-"
    assert any(name == "shop.payments" and message.startswith(answered) for name, message in lines)
    assert any(name.startswith("wechatpay") and message.startswith(f"GET {url} -> 200") for name, message in lines)


def test_retries_and_timeouts(walk: dict[str, Any], wechatpay: ModuleType) -> None:
    fake, path = walk["fake"], "/v3/pay/transactions/id/{transaction_id}"
    busy, answer = [wechatpay.testing.Reply.error(503, "SYSTEM_ERROR", "busy")] * 2, fake.routes[("GET", path)].handler
    fake.route("GET", path, lambda request: busy.pop() if busy else answer(request))
    assert run("retries", walk)["trade"].trade_state == "SUCCESS"
    assert len(fake.requests) == 3 and fake.rejections == []  # each attempt signed afresh (a new nonce)
