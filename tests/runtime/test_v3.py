"""APIv3 end to end through the fake service over real HTTP, in sync and async forms."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest

from .conftest import rt
from .fake_server import FakeRequest, FakeWeChatPay, Reply, Signer
from .helpers import make_client, wait


@pytest.fixture(params=["sync", "async"])
async def c(request: pytest.FixtureRequest, server: FakeWeChatPay) -> AsyncIterator[Any]:
    async with make_client(request.param, server) as client:
        yield client


JSAPI = rt.Operation(
    "POST",
    "/v3/pay/transactions/jsapi",
    request_media="application/json",
    encrypted_fields=("payer.name", "receivers[].name", "scene_info.contact", "header:X-Contact", "query:id_no"),
    json_string_fields=("scene_info",),
)


async def test_json_post_with_sensitive_fields(c: Any, server: FakeWeChatPay) -> None:
    def handler(req: FakeRequest) -> Any:
        body = req.json()
        scene = json.loads(body["scene_info"])  # travelled as a JSON string
        return {
            "payer": server.decrypt(req, body["payer"]["name"]),
            "receivers": [server.decrypt(req, r["name"]) for r in body["receivers"]],
            "scene": server.decrypt(req, scene["contact"]),
            "header": server.decrypt(req, req.headers["x-contact"]),
            "query": server.decrypt(req, req.query["id_no"]),
            "serial": req.headers["wechatpay-serial"],
            "plain": body["description"],
        }

    server.route("POST", "/v3/pay/transactions/jsapi", handler)
    body = {
        "description": "商品",
        "payer": {"name": "张三"},
        "receivers": [{"name": "李四"}, {"name": "王五"}],
        "scene_info": {"contact": "13800000000", "store": 1},
    }
    response = await wait(c._send(JSAPI, body=body, headers={"X-Contact": "秘密"}, query={"id_no": "110"}))
    assert response.status_code == 200
    assert response.json() == {
        "payer": "张三",
        "receivers": ["李四", "王五"],
        "scene": "13800000000",
        "header": "秘密",
        "query": "110",
        "serial": server.signer.key_id,
        "plain": "商品",
    }
    assert body["payer"] == {"name": "张三"}  # the caller's dict is not modified
    assert server.rejections == []


async def test_a_json_string_query_parameter_is_sent_as_json(c: Any, server: FakeWeChatPay) -> None:
    seen: list[FakeRequest] = []
    server.route("GET", "/v3/marketing/partnerships", lambda req: seen.append(req) or {"data": []})
    op = rt.Operation("GET", "/v3/marketing/partnerships", json_string_fields=("query:partner",))
    await wait(c._send(op, query={"partner": {"type": "APPID", "appid": "wx1"}, "limit": 5}))
    assert server.rejections == []  # the signature covers the query as sent
    assert seen[0].query == {"partner": '{"type":"APPID","appid":"wx1"}', "limit": "5"}


async def test_get_with_path_and_query(c: Any, server: FakeWeChatPay) -> None:
    seen: list[FakeRequest] = []
    server.route(
        "GET", "/v3/pay/transactions/out-trade-no/a%20b%2F%E5%8D%95", lambda req: seen.append(req) or {"ok": 1}
    )
    op = rt.Operation("GET", "/v3/pay/transactions/out-trade-no/{out_trade_no}")
    response = await wait(
        c._send(op, path_params={"out_trade_no": "a b/单"}, query={"mchid": "1", "all": True, "skip": None})
    )
    assert response.json() == {"ok": 1}
    assert seen[0].query == {"mchid": "1", "all": "true"}
    assert seen[0].body == b"" and "content-type" not in seen[0].headers
    assert seen[0].headers["accept"] == "application/json" and seen[0].headers["user-agent"]


async def test_missing_path_param(c: Any) -> None:
    with pytest.raises(rt.RequestValidationError, match="out_trade_no"):
        await wait(c._send(rt.Operation("GET", "/v3/x/{out_trade_no}"), path_params={}))


@pytest.mark.parametrize("status", [202, 204])
async def test_no_content(c: Any, server: FakeWeChatPay, status: int) -> None:
    server.route("POST", "/v3/pay/transactions/out-trade-no/1/close", lambda req: Reply(status))
    op = rt.Operation(
        "POST", "/v3/pay/transactions/out-trade-no/{n}/close", request_media="application/json", response_media=None
    )
    response = await wait(c._send(op, path_params={"n": "1"}, body={"mchid": "1"}))
    assert (response.status_code, response.content) == (status, b"")


async def test_upload(c: Any, server: FakeWeChatPay) -> None:
    op = rt.Operation("POST", "/v3/merchant/media/upload", request_media="multipart/form-data")
    image = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    response = await wait(c._send(op, body={"file": ("logo.png", image)}))
    assert response.json() == {"media_id": "media-" + hashlib.sha256(image).hexdigest()[:16]}
    meta = json.loads(server.requests[-1].parts["meta"][0])
    assert meta == {"filename": "logo.png", "sha256": hashlib.sha256(image).hexdigest()}
    response = await wait(
        c._send(op, body={"meta": {"filename": "x.jpg"}, "file": ("ignored.jpg", b"jpg", "image/jpeg")})
    )
    assert response.status_code == 200


async def test_download_two_steps(c: Any, server: FakeWeChatPay, tmp_path: Path) -> None:
    bill = "交易时间,公众账号ID\n`2026-01-01,`wx1\n".encode() * 500
    server.bills["tok1"] = gzip.compress(bill)
    server.bills["tok2"] = bill
    server.route(
        "GET",
        "/v3/bill/tradebill",
        lambda req: {
            "download_url": f"{server.base_url}/v3/billdownload/file?token=tok1&tartype=GZIP",
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(bill).hexdigest(),
        },
    )
    info = (await wait(c._send(rt.Operation("GET", "/v3/bill/tradebill"), query={"bill_date": "2026-01-01"}))).json()
    assert server.requests[-1].headers["accept"] == "application/json"
    data = await wait(c.download(info["download_url"], hash_type=info["hash_type"], hash_value=info["hash_value"]))
    assert gzip.decompress(data) == bill
    assert server.requests[-1].headers["accept"] == "*/*"  # a file: a strict server answers JSON-only with 406
    file_op = rt.Operation(
        "GET", "/v3/billdownload/file", response_media="application/octet-stream", unsigned_response=True
    )
    await wait(c._send(file_op, query={"token": "tok2"}))
    assert server.requests[-1].headers["accept"] == "*/*"
    target = tmp_path / "bill.csv.gz"
    path = await wait(c.download(info["download_url"], hash_type="SHA1", hash_value=info["hash_value"], to=target))
    assert path == target and gzip.decompress(target.read_bytes()) == bill
    plain_url = f"{server.base_url}/v3/billdownload/file?token=tok2"
    assert await wait(c.download(plain_url, hash_type="SHA1", hash_value=hashlib.sha1(bill).hexdigest())) == bill


async def test_download_mismatch_leaves_no_file(c: Any, server: FakeWeChatPay, tmp_path: Path) -> None:
    server.bills["tok"] = b"a,b\n1,2\n"
    url = f"{server.base_url}/v3/billdownload/file?token=tok"
    with pytest.raises(rt.DownloadIntegrityError, match="does not match"):
        await wait(c.download(url, hash_type="SHA1", hash_value="0" * 40))
    with pytest.raises(rt.DownloadIntegrityError):
        await wait(c.download(url, hash_type="SHA1", hash_value="0" * 40, to=tmp_path / "bill.csv"))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(rt.BadRequestError):
        await wait(c.download(f"{server.base_url}/v3/billdownload/file?token=nope", hash_type="SHA1", hash_value="0"))
    with pytest.raises(rt.RequestValidationError, match="download url must be on"):
        await wait(c.download("https://evil.example/v3/billdownload/file?token=tok", hash_type="SHA1", hash_value="0"))


async def test_unsigned_response_only_where_declared(c: Any, server: FakeWeChatPay) -> None:
    server.bills["t"] = b"bill"
    op = rt.Operation("GET", "/v3/billdownload/file", response_media="application/octet-stream", unsigned_response=True)
    assert (await wait(c._send(op, query={"token": "t"}))).content == b"bill"
    signed_op = rt.Operation("GET", "/v3/billdownload/file", response_media="application/octet-stream")
    with pytest.raises(rt.SignatureVerificationError):
        await wait(c._send(signed_op, query={"token": "t"}))


async def test_error_mapping(c: Any, server: FakeWeChatPay) -> None:
    detail = {"field": "/amount/total", "value": 0, "issue": "must be > 0", "location": "body"}
    server.route("POST", "/v3/e400", lambda req: Reply.error(400, "PARAM_ERROR", "参数错误", detail))
    server.route("GET", "/v3/e404", lambda req: Reply.error(404, "ORDER_NOT_EXIST", "订单不存在"))
    server.route("GET", "/v3/e403", lambda req: Reply.error(403, "NO_AUTH", "无权限"))
    server.route("GET", "/v3/e409", lambda req: Reply.error(409, "CONFLICT", "冲突"))
    server.route("GET", "/v3/e502", lambda req: Reply(502, b"<html>Bad Gateway</html>", signed=False))
    with pytest.raises(rt.BadRequestError) as caught:
        await wait(c._send(rt.Operation("POST", "/v3/e400", request_media="application/json"), body={"a": 1}))
    error = caught.value
    assert (error.status_code, error.code, error.message, error.detail) == (400, "PARAM_ERROR", "参数错误", detail)
    assert error.request_id.startswith("req-") and b"PARAM_ERROR" in error.body
    for path, cls in [
        ("/v3/e404", rt.NotFoundError),
        ("/v3/e403", rt.PermissionDeniedError),
        ("/v3/e409", rt.ConflictError),
    ]:
        with pytest.raises(cls):
            await wait(c._send(rt.Operation("GET", path)))
    c.max_retries = 0
    with pytest.raises(rt.InternalServerError) as caught5:
        await wait(c._send(rt.Operation("GET", "/v3/e502")))
    assert caught5.value.code is None and "Bad Gateway" in caught5.value.message


async def test_service_rejects_a_wrong_key(server: FakeWeChatPay) -> None:
    from .fake_server import new_key, private_pem

    async with make_client("sync", server, private_key=private_pem(new_key())) as client:
        with pytest.raises(rt.AuthenticationError) as caught:
            client.request("GET", "/v3/certificates")
    assert caught.value.code == "SIGN_ERROR" and server.rejections == ["signature"]


def _flaky(statuses: list[int], calls: list[FakeRequest]) -> Any:
    def handler(req: FakeRequest) -> Any:
        calls.append(req)
        status = statuses[len(calls) - 1] if len(calls) <= len(statuses) else 200
        return Reply.error(status, "SYSTEM_ERROR", "busy") if status != 200 else {"n": len(calls)}

    return handler


async def test_retries_for_safe_requests(c: Any, server: FakeWeChatPay) -> None:
    calls: list[FakeRequest] = []
    server.route("GET", "/v3/flaky", _flaky([503, 429], calls))
    assert (await wait(c._send(rt.Operation("GET", "/v3/flaky")))).json() == {"n": 3}
    nonces = {
        dict(p.split("=", 1) for p in r.headers["authorization"].split(" ", 1)[1].split(","))["nonce_str"]
        for r in calls
    }
    assert len(nonces) == 3  # each attempt signed afresh

    calls.clear()
    server.route("POST", "/v3/pay", _flaky([500], calls))
    post = rt.Operation("POST", "/v3/pay", request_media="application/json")
    with pytest.raises(rt.InternalServerError):
        await wait(c._send(post, body={"description": "x"}))
    assert len(calls) == 1  # not safe to repeat
    calls.clear()
    assert (await wait(c._send(post, body={"out_trade_no": "T1"}))).json() == {"n": 2}

    calls.clear()
    idem = rt.Operation("POST", "/v3/pay", request_media="application/json", idempotency_key=True)
    assert (await wait(c._send(idem, body={"x": 1}))).json() == {"n": 2}
    keys = {r.headers["idempotency-key"] for r in calls}
    assert len(keys) == 1 and len(keys.pop()) == 32

    calls.clear()
    server.route("GET", "/v3/down", _flaky([503, 503, 503, 503], calls))
    with pytest.raises(rt.InternalServerError):
        await wait(c._send(rt.Operation("GET", "/v3/down")))
    assert len(calls) == c.max_retries + 1


async def test_connection_errors(c: Any, server: FakeWeChatPay) -> None:
    calls: list[int] = []

    def drop_first(req: FakeRequest) -> Any:
        calls.append(1)
        return Reply(drop=True) if len(calls) == 1 else {"ok": True}

    server.route("GET", "/v3/drop", drop_first)
    assert (await wait(c._send(rt.Operation("GET", "/v3/drop")))).json() == {"ok": True}
    calls.clear()
    server.route("POST", "/v3/drop", drop_first)
    with pytest.raises(rt.APIConnectionError):
        await wait(c._send(rt.Operation("POST", "/v3/drop", request_media="application/json"), body={"a": 1}))
    async with make_client("sync", server, base_url="http://127.0.0.1:9") as dead:
        with pytest.raises(rt.APIConnectionError):
            dead.request("GET", "/v3/x")


async def test_timeouts(c: Any, server: FakeWeChatPay) -> None:
    server.route("GET", "/v3/slow", lambda req: Reply.json({"late": True}) if False else Reply(200, b"{}", delay=0.5))
    c.max_retries = 0
    with pytest.raises(rt.APITimeoutError):
        await wait(c._send(rt.Operation("GET", "/v3/slow"), timeout=0.1))
    assert (await wait(c._send(rt.Operation("GET", "/v3/slow"), timeout=5))).status_code == 200
    async with make_client("sync", server, timeout=0.1, max_retries=0) as short:
        with pytest.raises(rt.APITimeoutError):
            short.request("GET", "/v3/slow")


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("signature", rt.SignatureVerificationError),
        ("probe", rt.SignatureVerificationError),
        ("skew", rt.TimestampOutOfWindowError),
        ("unsigned", rt.SignatureVerificationError),
        ("body", rt.SignatureVerificationError),
    ],
)
async def test_bad_response_signatures(c: Any, server: FakeWeChatPay, fault: str, error: type[Exception]) -> None:
    server.fault = fault
    with pytest.raises(error):
        await wait(c.request("GET", "/v3/certificates"))


async def test_public_key_mode(pubkey_signer: Signer) -> None:
    with FakeWeChatPay.create(signers=[pubkey_signer]) as server:
        server.route(
            "POST",
            "/v3/enc",
            lambda req: {
                "name": server.decrypt(req, req.json()["name"]),
                "serial": req.headers.get("wechatpay-serial"),
            },
        )
        for kind in ("sync", "async"):
            async with make_client(kind, server, apiv3_key=None) as client:
                op = rt.Operation("POST", "/v3/enc", request_media="application/json", encrypted_fields=("name",))
                assert (await wait(client._send(op, body={"name": "张三"}))).json() == {
                    "name": "张三",
                    "serial": pubkey_signer.key_id,
                }
                response = await wait(client.request("GET", "/v3/certificates"))
                assert server.requests[-1].headers["wechatpay-serial"] == pubkey_signer.key_id
                assert response.json() == {"data": []}


async def test_migration_both_keys(signer: Signer, pubkey_signer: Signer) -> None:
    with FakeWeChatPay.create(signers=[signer, pubkey_signer]) as server:
        async with make_client("async", server) as client:
            for current in (signer, pubkey_signer, signer):
                server.signer = current
                assert (await client.request("GET", "/v3/certificates")).status_code == 200


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_certificates_downloaded_when_unknown(kind: str, signer: Signer) -> None:
    with FakeWeChatPay.create(signers=[signer]) as server:
        server.route("POST", "/v3/enc", lambda req: {"name": server.decrypt(req, req.json()["name"])})
        async with make_client(kind, server, platform_certificates=None) as client:
            op = rt.Operation("POST", "/v3/enc", request_media="application/json", encrypted_fields=("name",))
            assert (await wait(client._send(op, body={"name": "张三"}))).json() == {"name": "张三"}
            assert [r.path for r in server.requests] == ["/v3/certificates", "/v3/enc"]
            # the service rotates to a certificate the client has never seen
            rotated = Signer.platform()
            server.signers[rotated.key_id] = rotated
            server.signer = rotated
            client._certificates.interval = 0.0
            assert (await wait(client.request("GET", "/v3/certificates"))).status_code == 200
            assert [r.path for r in server.requests][-2:] == ["/v3/certificates", "/v3/certificates"]


async def test_unknown_serial_without_apiv3_key(server: FakeWeChatPay) -> None:
    async with make_client("sync", server, apiv3_key=None) as client:
        server.signer = Signer.platform()
        server.signers[server.signer.key_id] = server.signer
        with pytest.raises(rt.UnknownSerialError):
            client.request("GET", "/v3/certificates")


async def test_escape_hatch(c: Any, server: FakeWeChatPay) -> None:
    server.route("POST", "/v3/anything", lambda req: {"echo": req.json(), "q": req.query})
    response = await wait(c.request("POST", "/v3/anything", json={"a": "中"}, query={"b": "2"}))
    assert response.json() == {"echo": {"a": "中"}, "q": {"b": "2"}}
    response = await wait(
        c.request("POST", "/v3/anything", content=b'{"raw":1}', headers={"Content-Type": "application/json"})
    )
    assert response.json()["echo"] == {"raw": 1}


def test_fake_service_rejects_any_change(server: FakeWeChatPay) -> None:
    """The fake service is only worth as much as its checks: each altered element is refused."""
    from wechatpay_runtime_under_test import config, signing

    server.route("POST", "/v3/pay", lambda req: {"ok": True})
    key = config.load_private_key(server.client_settings()["private_key"])
    body = b'{"out_trade_no":"1","amount":{"total":100}}'

    def send(
        method: str,
        target: str,
        sent_body: bytes,
        signed_target: str,
        signed_body: bytes,
        timestamp_shift: int = 0,
        signing_key: Any = key,
    ) -> int:
        import time

        auth = signing.authorization(
            mchid=server.merchant.mchid,
            serial_no=server.merchant.serial_no,
            key=signing_key,
            method=method,
            target=signed_target,
            body=signed_body,
            timestamp=int(time.time()) + timestamp_shift,
            nonce=signing.new_nonce(),
        )
        return httpx.request(
            method,
            server.base_url + target,
            content=sent_body,
            headers={"Authorization": auth, "Content-Type": "application/json"},
        ).status_code

    from .fake_server import new_key

    assert send("POST", "/v3/pay?a=1", body, "/v3/pay?a=1", body) == 200
    assert send("POST", "/v3/pay?a=1", body, "/v3/pay2?a=1", body) == 401  # path
    assert send("POST", "/v3/pay?a=1", body, "/v3/pay?a=2", body) == 401  # query
    assert send("POST", "/v3/pay?a=1", body, "/v3/pay?a=1", body.replace(b"100", b"101")) == 401  # one body byte
    assert send("POST", "/v3/pay?a=1", body, "/v3/pay?a=1", body, timestamp_shift=-301) == 401  # timestamp
    assert send("POST", "/v3/pay?a=1", body, "/v3/pay?a=1", body, signing_key=new_key()) == 401  # key
    assert server.rejections == ["signature", "signature", "signature", "timestamp", "signature"]


async def test_decrypt_sensitive_response_field(c: Any, server: FakeWeChatPay) -> None:
    import base64

    from .fake_server import OAEP

    sealed = base64.b64encode(server.merchant.key.public_key().encrypt("王小二".encode(), OAEP)).decode()
    server.route("GET", "/v3/profile", lambda req: {"name": sealed})
    response = await wait(c._send(rt.Operation("GET", "/v3/profile")))
    assert c.decrypt(response.json()["name"]) == "王小二"
    with pytest.raises(rt.DecryptionError):
        c.decrypt(sealed[:-4] + "AAA=")


async def test_certificate_download_failures(server: FakeWeChatPay) -> None:
    async with make_client("sync", server, apiv3_key=None) as client:
        with pytest.raises(rt.ConfigurationError, match="apiv3_key"):
            client.refresh_certificates()
    async with make_client("async", server, apiv3_key="e" * 32) as client:
        with pytest.raises(rt.DecryptionError):
            await client.refresh_certificates()
    server.route("GET", "/v3/certificates", lambda req: {"data": [{"serial_no": "1"}]})
    async with make_client("sync", server) as client:
        with pytest.raises(rt.MalformedPayloadError):
            client.refresh_certificates()


async def test_caller_idempotency_key_kept(c: Any, server: FakeWeChatPay) -> None:
    calls: list[FakeRequest] = []
    server.route("POST", "/v3/pay", _flaky([503], calls))
    post = rt.Operation("POST", "/v3/pay", request_media="application/json", idempotency_key=True)
    await wait(c._send(post, body={"x": 1}, headers={"idempotency-key": "mine"}))
    assert [r.headers["idempotency-key"] for r in calls] == ["mine", "mine"]


async def test_the_serial_goes_out_wherever_the_page_requires_it(c: Any, server: FakeWeChatPay) -> None:
    """A page that requires `Wechatpay-Serial` but encrypts nothing still gets the serial (platform certificates)."""
    server.route("POST", "/v3/inspolicymgr/deduct/policies", lambda req: {"serial": req.headers.get("wechatpay-serial")})
    op = rt.Operation("POST", "/v3/inspolicymgr/deduct/policies", request_media="application/json", serial_header=True)
    response = await wait(c._send(op, body={"out_insurance_no": "P1"}))
    assert response.json()["serial"] in server.signers


async def test_the_clients_own_base_url_wins_over_the_pages_host(c: Any, server: FakeWeChatPay) -> None:
    """Tests and proxies: a page's `base_uri` host gives way to the client's `base_url`; its path prefix stays."""
    server.route("GET", "/v3/global/settle/settlements", lambda req: {"ok": True})
    op = rt.Operation("GET", "/v3/global/settle/settlements", base_url="https://apihk.mch.weixin.qq.com/")
    assert (await wait(c._send(op))).json() == {"ok": True}
    prefixed = op._replace(base_url="https://api.mch.weixin.qq.com/hk/")
    settings = {k: v for k, v in server.client_settings().items() if k != "base_url"}
    proxied = rt.SyncClientBase(**settings, base_url="https://proxy.example/wx")
    assert proxied._calls.prepare(prefixed).url == "https://proxy.example/wx/hk/v3/global/settle/settlements"
    pages_own = rt.SyncClientBase(**settings)
    assert pages_own._calls.prepare(prefixed).url == "https://api.mch.weixin.qq.com/hk/v3/global/settle/settlements"


def test_an_encrypted_path_parameter_is_encrypted(server: FakeWeChatPay) -> None:
    """Encryption follows the spec to the path too: the value travels encrypted, percent-encoded."""
    client = rt.SyncClientBase(**server.client_settings())
    op = rt.Operation("GET", "/v3/x/{id_no}", encrypted_fields=("path:id_no",))
    prepared = client._calls.prepare(op, {"id_no": "110101199003071234"})
    ciphertext = unquote(prepared.url.rpartition("/")[2])
    assert "110101199003071234" not in prepared.url and len(ciphertext) > 300
    serial = prepared.headers["Wechatpay-Serial"]
    assert server.signers[serial].decrypt(ciphertext) == "110101199003071234"


def test_threads_that_meet_a_new_certificate_at_once_download_it_once(signer: Signer) -> None:
    """The sync refresh holds a lock: eight threads on a client without certificates fetch them once."""
    with FakeWeChatPay.create(signers=[signer]) as server:
        server.route("POST", "/v3/enc", lambda req: {"name": server.decrypt(req, req.json()["name"])})
        op = rt.Operation("POST", "/v3/enc", request_media="application/json", encrypted_fields=("name",))
        with rt.SyncClientBase(**{**server.client_settings(), "platform_certificates": None}) as client:
            start = threading.Barrier(8)

            def call(_: int) -> Any:
                start.wait()
                return client._send(op, body={"name": "张三"}).json()

            with ThreadPoolExecutor(8) as pool:
                assert list(pool.map(call, range(8))) == [{"name": "张三"}] * 8
        assert [r.path for r in server.requests].count("/v3/certificates") == 1


async def test_tasks_that_meet_a_new_certificate_at_once_download_it_once(signer: Signer) -> None:
    with FakeWeChatPay.create(signers=[signer]) as server:
        server.route("POST", "/v3/enc", lambda req: {"name": server.decrypt(req, req.json()["name"])})
        op = rt.Operation("POST", "/v3/enc", request_media="application/json", encrypted_fields=("name",))
        async with make_client("async", server, platform_certificates=None) as client:
            calls = [client._send(op, body={"name": "张三"}) for _ in range(8)]
            assert [r.json() for r in await asyncio.gather(*calls)] == [{"name": "张三"}] * 8
        assert [r.path for r in server.requests].count("/v3/certificates") == 1
