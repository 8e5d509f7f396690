"""No secret (private key, APIv3/APIv2 key, sensitive plaintext) in logs, exception messages or reprs."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from .conftest import rt
from .fake_server import FakeRequest, FakeWeChatPay, Reply
from .helpers import make_client

PLAINTEXT = "SENSITIVE-张三-110101199003077777"


async def test_no_secret_leaks(server: FakeWeChatPay, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = server.client_settings()
    secrets = [
        settings["apiv3_key"],
        settings["apiv2_key"],
        PLAINTEXT,
        *[line for line in settings["private_key"].splitlines() if "-----" not in line],
    ]
    seen: list[str] = []

    def record(error: BaseException) -> None:
        seen.extend([str(error), repr(error), *(str(a) for a in error.args)])

    def echo_error(req: FakeRequest) -> Any:
        return Reply.error(400, "PARAM_ERROR", "bad name", {"field": "name", "value": req.json()["name"]})

    server.route("POST", "/v3/enc", echo_error)
    op = rt.Operation("POST", "/v3/enc", request_media="application/json", encrypted_fields=("name",))
    for kind in ("sync", "async"):
        async with make_client(kind, server) as client:
            seen += [repr(client), repr(client._credentials)]
            with pytest.raises(rt.BadRequestError) as caught:
                call = client._send(op, body={"name": PLAINTEXT, "out_trade_no": "1"})
                if kind == "async":
                    await call
            record(caught.value)
            with pytest.raises(rt.DecryptionError) as caught_d:
                client.decrypt("AAAA")
            record(caught_d.value)
            headers, body = server.make_notification("TRANSACTION.SUCCESS", {"secret": PLAINTEXT})
            with pytest.raises(rt.SignatureVerificationError) as caught_s:
                call = client.parse_notification({**headers, "Wechatpay-Timestamp": "1"}, body)
                if kind == "async":
                    await call
            record(caught_s.value)
            seen.append(repr(client._credentials.client_certificate))
    for bad in (
        {"apiv3_key": settings["apiv3_key"][:-1]},
        {"apiv2_key": settings["apiv2_key"] + "x"},
        {"private_key": settings["private_key"].replace("PRIVATE KEY", "CERTIFICATE")},
    ):
        with pytest.raises(rt.ConfigurationError) as caught_c:
            rt.SyncClientBase(**{**settings, **bad})
        record(caught_c.value)
    haystack = "\n".join(seen) + caplog.text
    assert "PARAM_ERROR" in haystack and caplog.records  # the checks looked at real output
    for secret in secrets:
        assert secret not in haystack
