"""Client CPU cost of one signed and verified APIv3 request against the local fake service.

Run: .venv/bin/python benchmarks/bench_runtime.py [--requests N]

The client's CPU time is measured on its own thread (`time.thread_time`), so the fake service's work in
its threads is not counted. The two RSA operations every request needs (SHA256withRSA sign of the request,
verify of the response) are timed separately and subtracted: what remains is the runtime's own overhead
(building, hashing, httpx, parsing), with a target of at most 2 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.runtime.conftest import rt  # noqa: E402 - the runtime loaded from templates/runtime
from tests.runtime.fake_server import FakeWeChatPay  # noqa: E402
from wechatpay_runtime_under_test import config, crypto  # noqa: E402


def cpu_per_call(action: object, count: int) -> float:
    assert callable(action)
    start = time.thread_time()
    for _ in range(count):
        action()
    return (time.thread_time() - start) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()

    with FakeWeChatPay.create() as server:
        server.route(
            "POST", "/v3/pay/transactions/jsapi", lambda req: {"prepay_id": "wx201410272009395522657a690389285100"}
        )
        op = rt.Operation("POST", "/v3/pay/transactions/jsapi", request_media="application/json")
        body = {
            "appid": "wxd678efh567hg6787",
            "mchid": server.merchant.mchid,
            "description": "Image形象店-深圳腾大-QQ公仔",
            "out_trade_no": "1217752501201407033233368018",
            "notify_url": "https://www.weixin.qq.com/wxpay/pay.php",
            "amount": {"total": 100, "currency": "CNY"},
            "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        }
        with rt.SyncClientBase(**server.client_settings()) as client:
            for _ in range(20):  # warm up: connection, caches
                client._send(op, body=body)
            start_wall = time.perf_counter()
            per_request = cpu_per_call(lambda: client._send(op, body=body), args.requests)
            wall = (time.perf_counter() - start_wall) / args.requests

    key = config.load_private_key(server.client_settings()["private_key"])
    public = server.signer.key.public_key()
    message = b"POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n" + b"x" * 400 + b"\n"
    signature = crypto.rsa_sign(server.signer.key, message)
    rsa_sign = cpu_per_call(lambda: crypto.rsa_sign(key, message), args.requests)
    rsa_verify = cpu_per_call(lambda: crypto.rsa_verify(public, message, signature), args.requests)
    overhead = per_request - rsa_sign - rsa_verify

    print(f"requests:                      {args.requests}")
    print(f"wall time per request:         {wall * 1e3:.3f} ms (client + fake service + loopback)")
    print(f"client CPU per request:        {per_request * 1e3:.3f} ms")
    print(f"  RSA-2048 sign (request):     {rsa_sign * 1e3:.3f} ms")
    print(f"  RSA-2048 verify (response):  {rsa_verify * 1e3:.3f} ms")
    print(
        f"client CPU beyond the two RSA: {overhead * 1e3:.3f} ms (target <= 2 ms: {'OK' if overhead <= 0.002 else 'OVER'})"
    )


if __name__ == "__main__":
    main()
