"""The fake as a signing proxy (`upstream=`): a request no route answers is checked, then forwarded, and the
upstream's answer is signed as the service's own. Prism in that place: tests/integration/test_testing.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from .conftest import fast, rt
from .fake_server import FakeWeChatPay, Signer, new_key, private_pem

SEEN: list[tuple[str, str, bytes]] = []  # what reached the upstream: method, target, body


class Upstream(BaseHTTPRequestHandler):
    """Answers every request with what it received, as JSON; knows nothing of signatures."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        SEEN.append((self.command, self.path, body))
        answer = json.dumps({"path": self.path, "body": json.loads(body)}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[str]:
    SEEN.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_upstream_answer_comes_back_signed(upstream: str, signer: Signer) -> None:
    fake = FakeWeChatPay.create(signers=[signer], upstream=upstream)
    with fake.http_client() as http, fast(rt.SyncClientBase(**fake.client_settings(), http_client=http)) as client:
        answer = client.request("POST", "/v3/not/routed", json={"amount": 1}, query={"x": "1"})
    assert (answer.status_code, answer.json()) == (201, {"path": "/v3/not/routed?x=1", "body": {"amount": 1}})
    assert SEEN == [("POST", "/v3/not/routed?x=1", b'{"amount":1}')] and fake.rejections == []


def test_a_badly_signed_request_never_reaches_the_upstream(upstream: str, signer: Signer) -> None:
    fake = FakeWeChatPay.create(signers=[signer], upstream=upstream)
    settings = {**fake.client_settings(), "private_key": private_pem(new_key()), "max_retries": 0}
    with (
        fake.http_client() as http,
        rt.SyncClientBase(**settings, http_client=http) as client,
        pytest.raises(rt.AuthenticationError),
    ):
        client.request("POST", "/v3/not/routed", json={"amount": 1})
    assert SEEN == [] and fake.rejections == ["signature"]
