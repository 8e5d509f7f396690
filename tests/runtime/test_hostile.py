"""Hostile networks and callers (issue 10): forged or malformed answers and notifications, hostile path values,
decompression bombs, and secrets that must never show."""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib
import json
import shutil
import sys
import traceback
import tracemalloc
import types
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import jinja2
import pytest

from .conftest import RUNTIME_DIR, fast, rt
from .fake_server import FakeWeChatPay, Reply, Signer, v2_xml
from .helpers import make_client, wait

RESOURCE = {"mchid": "1230000109", "out_trade_no": "T1", "trade_state": "SUCCESS"}


@pytest.fixture(params=["sync", "async"])
async def c(request: pytest.FixtureRequest, server: FakeWeChatPay) -> AsyncIterator[Any]:
    async with make_client(request.param, server) as client:
        yield client


# -- malformed signature headers: always a SignatureVerificationError, never a bare ValueError ---------------

MALFORMED_HEADERS = [
    {"Wechatpay-Timestamp": "9" * 4300},
    {"Wechatpay-Timestamp": "1" * 5000},
    {"Wechatpay-Timestamp": "soon"},
    {"Wechatpay-Timestamp": "１７００００００００"},  # full-width digits
    {"Wechatpay-Signature": "!!!not base64!!!"},
    {"Wechatpay-Signature": "签名"},
    {"Wechatpay-Signature": "QUJD"},  # base64, but no RSA signature
    {"Wechatpay-Nonce": None},
    {"Wechatpay-Nonce": "\ud800"},
    {"Wechatpay-Serial": "F" * 10_000},
    {"Wechatpay-Serial": None},
]


def _altered(headers: dict[str, str], change: dict[str, str | None]) -> dict[str, str]:
    altered = {**headers, **change}
    return {name: value for name, value in altered.items() if value is not None}


@pytest.mark.parametrize("change", MALFORMED_HEADERS)
async def test_malformed_notification_headers(c: Any, server: FakeWeChatPay, change: dict[str, str | None]) -> None:
    headers, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    with pytest.raises(rt.SignatureVerificationError):
        await wait(c.parse_notification(_altered(headers, change), body))


@pytest.mark.parametrize("change", MALFORMED_HEADERS)
async def test_malformed_response_headers(c: Any, server: FakeWeChatPay, change: dict[str, str | None]) -> None:
    body = b'{"ok":true}'
    on_the_wire = {k: v.encode("utf-8", "surrogatepass").decode("latin-1") if v else v for k, v in change.items()}
    headers = _altered(server.sign_headers(body), on_the_wire)
    server.route(
        "GET", "/v3/answer", lambda req: Reply(200, body, {"Content-Type": "application/json", **headers}, signed=False)
    )
    with pytest.raises(rt.SignatureVerificationError):
        await wait(c._send(rt.Operation("GET", "/v3/answer")))


# -- path parameters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".", "..", "", "\ud800"])
async def test_unsafe_path_values_are_refused_before_signing(c: Any, server: FakeWeChatPay, value: str) -> None:
    close = rt.Operation(
        "POST", "/v3/pay/transactions/out-trade-no/{out_trade_no}/close", request_media="application/json"
    )
    with pytest.raises(rt.RequestValidationError, match="out_trade_no"):
        await wait(c._send(close, path_params={"out_trade_no": value}, body={"mchid": "1"}))
    v2 = rt.Operation("POST", "/pay/{name}/query", api="v2")
    with pytest.raises(rt.RequestValidationError, match="name"):
        await wait(c._send(v2, path_params={"name": value}, body={"a": "1"}))
    assert server.requests == []


async def test_every_reserved_character_is_percent_encoded(c: Any, server: FakeWeChatPay) -> None:
    value = "../a/b?c#d%2e%2E;f=g&h+i j:k@l!$'()*,[]"
    encoded = "..%2Fa%2Fb%3Fc%23d%252e%252E%3Bf%3Dg%26h%2Bi%20j%3Ak%40l%21%24%27%28%29%2A%2C%5B%5D"
    server.route("GET", f"/v3/orders/{encoded}", lambda req: {"ok": True})
    op = rt.Operation("GET", "/v3/orders/{out_trade_no}")
    assert (await wait(c._send(op, path_params={"out_trade_no": value}))).json() == {"ok": True}
    assert server.requests[-1].target == f"/v3/orders/{encoded}" and server.rejections == []


# -- notifications never start a certificate download ------------------------------------------------------


@pytest.mark.parametrize("forgery", ["unsigned", "bad signature", "unknown key"])
async def test_notifications_never_touch_the_network(c: Any, server: FakeWeChatPay, forgery: str) -> None:
    c._certificates.interval = 0.0
    stranger = Signer.platform()
    headers, body = server.make_notification(
        "TRANSACTION.SUCCESS", RESOURCE, signer=stranger
    )  # a serial the client does not know
    if forgery == "unsigned":
        del headers["Wechatpay-Signature"]
    elif forgery == "bad signature":
        headers["Wechatpay-Signature"] = "A" * 344
    for _ in range(3):
        with pytest.raises(rt.SignatureVerificationError):
            await wait(c.parse_notification(headers, body))
    assert server.requests == []


# -- a strict model error keeps no link to pydantic's error (it holds the decrypted values) ------------------


def _render(template: Path, target: Path) -> None:
    environment = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    target.write_text(environment.from_string(template.read_text(encoding="utf-8")).render(header="test"))


@pytest.fixture(scope="module")
def core(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """templates/package/_core.py.jinja rendered into a package beside the runtime, as the generator places it."""
    root = tmp_path_factory.mktemp("core")
    package = root / "hostile_core_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    shutil.copytree(RUNTIME_DIR, package / "_runtime", ignore=shutil.ignore_patterns("__pycache__"))
    templates = RUNTIME_DIR.parent / "package"
    _render(templates / "_core.py.jinja", package / "_core.py")
    _render(templates / "_validation.py.jinja", package / "_validation.py")
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("hostile_core_pkg._core")
    finally:
        sys.path.remove(str(root))


def test_strict_model_error_has_no_pydantic_context(core: Any) -> None:
    class Transaction(core.Model):
        total: int

    secret = "110101199003077777-not-a-number"
    with pytest.raises(core.ResponseValidationError) as caught:
        core.read_model(Transaction, {"total": secret}, strict=True)
    chain: list[BaseException] = []
    error: BaseException | None = caught.value
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    assert chain == [caught.value]
    assert secret not in str(caught.value)
    assert core.read_model(Transaction, {"total": secret}).doc_disagreements  # lenient mode unchanged


# -- APIv2 answers without `sign` --------------------------------------------------------------------------

ORDERQUERY = rt.Operation("POST", "/pay/orderquery", api="v2", request_media="application/xml")
GETACCESSTOKEN = rt.Operation(
    "GET", "/appauth/getaccesstoken", api="v2", response_media="application/xml", signed_query=True
)


def _answer(server: FakeWeChatPay, path: str, params: dict[str, str], *, method: str = "POST") -> None:
    server.route(method, path, lambda req: Reply(200, v2_xml(params), signed=False), signed_query=method == "GET")


@pytest.mark.parametrize(
    "params",
    [
        {"return_code": "SUCCESS", "result_code": "SUCCESS", "trade_state": "SUCCESS"},
        {"return_code": "SUCCESS", "result_code": "FAIL", "err_code": "ORDERNOTEXIST"},  # a failure that needs a sign
        {"trade_state": "SUCCESS"},
    ],
)
async def test_v2_answer_without_sign_is_refused(c: Any, server: FakeWeChatPay, params: dict[str, str]) -> None:
    _answer(server, "/pay/orderquery", params)
    with pytest.raises(rt.SignatureVerificationError, match="no sign"):
        await wait(c._send(ORDERQUERY, body={"out_trade_no": "T1"}))
    unsigned = ORDERQUERY._replace(unsigned_response=True)  # the docs show no sign: taken as it comes
    if params.get("result_code") == "FAIL":
        with pytest.raises(rt.APIStatusError):
            await wait(c._send(unsigned, body={"out_trade_no": "T1"}))
    else:
        assert (await wait(c._send(unsigned, body={"out_trade_no": "T1"}))).xml() == params


async def test_v2_unsigned_failures_are_typed_errors(c: Any, server: FakeWeChatPay) -> None:
    _answer(server, "/pay/orderquery", {"return_code": "FAIL", "return_msg": "签名错误"})
    with pytest.raises(rt.APIStatusError) as caught:
        await wait(c._send(ORDERQUERY, body={"out_trade_no": "T1"}))
    assert caught.value.code == "FAIL"
    _answer(server, "/appauth/getaccesstoken", {"retcode": "-1", "retmsg": "invalid code"}, method="GET")
    with pytest.raises(rt.APIStatusError) as caught:
        await wait(c._send(GETACCESSTOKEN, query={"mch_id": "1", "code": "c"}))
    assert (caught.value.code, caught.value.message) == ("-1", "invalid code")


async def test_v2_retcode_family_needs_its_unsigned_mark(c: Any, server: FakeWeChatPay) -> None:
    """appauth answers carry `retcode` and no `sign` (the page's answer table has none): the spec marks them."""
    token = {"retcode": "0", "retmsg": "ok", "access_token": "t1"}
    _answer(server, "/appauth/getaccesstoken", token, method="GET")
    with pytest.raises(rt.SignatureVerificationError):
        await wait(c._send(GETACCESSTOKEN, query={"mch_id": "1", "code": "c"}))
    unsigned = GETACCESSTOKEN._replace(unsigned_response=True)
    assert (await wait(c._send(unsigned, query={"mch_id": "1", "code": "c"}))).xml() == token


# -- decompression is capped (max_response_bytes) ------------------------------------------------------------

CAP = 1 << 20
BOMB = 48 << 20  # inflated size of every bomb below: 48 times the cap


def _deflated(data_size: int, wbits: int) -> bytes:
    """`data_size` zero bytes compressed without ever holding them whole."""
    z = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1 << 20)
    return b"".join(z.compress(block) for _ in range(data_size >> 20)) + z.flush()


@functools.cache
def _bomb(content_encoding: str) -> bytes:
    """A body that inflates to BOMB bytes through `content_encoding` (applied left to right)."""
    codings = [c.strip() for c in content_encoding.split(",")]
    wbits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}
    data = _deflated(BOMB, wbits[codings[0]])
    for coding in codings[1:]:
        z = zlib.compressobj(9, zlib.DEFLATED, wbits[coding])
        data = z.compress(data) + z.flush()
    return data


def _header(content_encoding: str) -> str:
    return content_encoding.replace("raw-deflate", "deflate")


def _peak_during(call: Any) -> tuple[BaseException | None, int]:
    tracemalloc.start()
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - returned to the test
        return exc, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return None, 0


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "deflate", "raw-deflate", "gzip, deflate, gzip"])
def test_bombs_in_answers_stop_at_the_cap(server: FakeWeChatPay, encoding: str) -> None:
    body = _bomb(encoding)
    headers = {"Content-Type": "application/json", "Content-Encoding": _header(encoding)}
    server.route("GET", "/v3/bomb", lambda req: Reply(200, body, headers, signed=False))
    server.route("POST", "/pay/downloadbill", lambda req: Reply(200, body, headers, signed=False))
    bill = rt.Operation("POST", "/pay/downloadbill", api="v2", response_media="text/plain")
    with fast(rt.SyncClientBase(**server.client_settings(), max_response_bytes=CAP)) as client:
        for call in (
            lambda: client._send(rt.Operation("GET", "/v3/bomb")),
            lambda: client._send(rt.Operation("GET", "/v3/bomb", unsigned_response=True)),
            lambda: client._send(bill, body={"bill_date": "20260101"}),
        ):
            error, peak = _peak_during(call)
            assert isinstance(error, rt.PayloadTooLargeError), error
            assert peak < 8 * CAP  # stopped at the cap, a step or two per layer beyond it


async def test_bombs_in_async_answers_stop_at_the_cap(server: FakeWeChatPay) -> None:
    body = _bomb("gzip, gzip")
    server.route("GET", "/v3/bomb", lambda req: Reply(200, body, {"Content-Encoding": "gzip, gzip"}, signed=False))
    async with make_client("async", server, max_response_bytes=CAP) as client:
        with pytest.raises(rt.PayloadTooLargeError):
            await client._send(rt.Operation("GET", "/v3/bomb", unsigned_response=True))


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("layers", ["bill", "encoding", "both"])
async def test_bombs_in_downloads_stop_at_the_cap(
    server: FakeWeChatPay, tmp_path: Path, kind: str, layers: str
) -> None:
    """A bill that is itself gzip (its digest covers the inflated bill), sent with or without Content-Encoding."""
    bill = _bomb("gzip") if layers != "encoding" else bytes(BOMB)[: 2 * CAP]
    body = gzip.compress(bill) if layers != "bill" else bill
    headers = {"Content-Encoding": "gzip"} if layers != "bill" else {}
    server.route("GET", "/v3/billdownload/file", lambda req: Reply(200, body, headers, signed=False))
    url = f"{server.base_url}/v3/billdownload/file?token=t"
    async with make_client(kind, server, max_response_bytes=CAP) as client:
        with pytest.raises(rt.PayloadTooLargeError):
            await wait(client.download(url, hash_type="SHA1", hash_value="0" * 40))
        with pytest.raises(rt.PayloadTooLargeError):
            await wait(client.download(url, hash_type="SHA1", hash_value="0" * 40, to=tmp_path / "bill.gz"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate", "gzip, gzip", "identity", ""])
async def test_encoded_answers_within_the_cap(c: Any, server: FakeWeChatPay, encoding: str) -> None:
    document = json.dumps({"items": ["交易"] * 2000}, ensure_ascii=False).encode()
    body = document
    for coding in [part.strip() for part in encoding.split(",") if part.strip() not in ("", "identity")]:
        z = zlib.compressobj(9, zlib.DEFLATED, {"gzip": 31, "deflate": 15, "raw-deflate": -15}[coding])
        body = z.compress(body) + z.flush()
    headers = {**server.sign_headers(document), "Content-Type": "application/json"}  # signed: the decoded body
    if encoding:
        headers["Content-Encoding"] = _header(encoding)
    server.route("GET", "/v3/list", lambda req: Reply(200, body, headers, signed=False))
    assert (await wait(c._send(rt.Operation("GET", "/v3/list")))).content == document
    assert server.requests[-1].headers["accept-encoding"] == "gzip, deflate"


async def test_the_cap_is_exact(server: FakeWeChatPay) -> None:
    document = b'{"a":"' + b"x" * 1000 + b'"}'
    headers = {**server.sign_headers(document), "Content-Encoding": "gzip"}
    server.route("GET", "/v3/exact", lambda req: Reply(200, gzip.compress(document), headers, signed=False))
    async with make_client("sync", server, max_response_bytes=len(document)) as client:
        assert client._send(rt.Operation("GET", "/v3/exact")).content == document
    async with make_client("sync", server, max_response_bytes=len(document) - 1) as client:
        with pytest.raises(rt.PayloadTooLargeError):
            client._send(rt.Operation("GET", "/v3/exact"))
    async with make_client("sync", server) as client:
        assert client.max_response_bytes == 64 << 20


def _gzip_layers(data: bytes, layers: int) -> bytes:
    for _ in range(layers):
        data = gzip.compress(data, compresslevel=1, mtime=0)
    return data


@pytest.mark.parametrize(("encoding", "body"), [("br", b"\x1b\x00"), ("zstd", b"\x28\xb5"), ("gzip", 1200)])
async def test_unknown_or_deep_content_encoding_is_refused(
    c: Any, server: FakeWeChatPay, encoding: str, body: bytes | int
) -> None:
    if isinstance(body, int):  # that many gzip layers, each declared: deeper than the recursion limit
        encoding, body = ", ".join([encoding] * body), _gzip_layers(b"{}", body)
    server.route("GET", "/v3/coded", lambda req: Reply(200, body, {"Content-Encoding": encoding}))
    with pytest.raises(rt.MalformedPayloadError, match="Content-Encoding"):
        await wait(c._send(rt.Operation("GET", "/v3/coded")))


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "64"])
def test_max_response_bytes_must_be_a_positive_integer(server: FakeWeChatPay, value: Any) -> None:
    with pytest.raises(rt.ConfigurationError, match="max_response_bytes"):
        rt.SyncClientBase(**server.client_settings(), max_response_bytes=value)


def test_the_cap_holds_for_answers_a_transport_read_already(server: FakeWeChatPay) -> None:
    """httpx.MockTransport answers arrive read (and decoded by httpx): their size is still checked."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=bytes(2 * CAP)))
    settings = {**server.client_settings(), "max_response_bytes": CAP}
    client = rt.SyncClientBase(**settings, http_client=httpx.Client(transport=transport))
    with client, pytest.raises(rt.PayloadTooLargeError):
        client._send(rt.Operation("GET", "/v3/read", unsigned_response=True))


# -- secrets never show: not in messages, reprs, chained errors or a traceback's captured locals --------------


def _shown(error: BaseException) -> str:
    """What a traceback that captures locals prints (chained errors included), and every chained error's repr.
    The locals of this test module's own frames, which hold the settings, are left out."""
    printed = traceback.TracebackException.from_exception(error, capture_locals=True)
    chained: traceback.TracebackException | None = printed
    while chained is not None:
        for frame in chained.stack:
            if frame.filename == __file__:
                frame.locals = None
        chained = chained.__cause__ or chained.__context__
    shown = list(printed.format())
    seen: BaseException | None = error
    while seen is not None:
        shown += [repr(seen), repr(getattr(seen, "filename", None))]
        seen = seen.__cause__ or seen.__context__
    return "".join(shown)


def _secrets(settings: dict[str, Any]) -> list[str]:
    key_lines = [line for line in settings["private_key"].splitlines() if "-----" not in line]
    return [settings["apiv3_key"], settings["apiv2_key"], "".join(key_lines), *key_lines]


def _assert_hidden(error: BaseException, settings: dict[str, Any], *, wrapped_in_frames: bool = True) -> None:
    shown = _shown(error)
    assert "Secret('**********')" in shown or not wrapped_in_frames  # the check saw the frames holding them
    for secret in _secrets(settings):
        assert secret not in shown


def _raw_base64(settings: dict[str, Any]) -> str:
    return "".join(line for line in settings["private_key"].splitlines() if "-----" not in line)


def test_a_secret_hides_its_value() -> None:
    secret = rt.Secret("192006250b4c09247ec02edce69f6a2d")
    assert "1920" not in " ".join([repr(secret), str(secret), f"{secret}", repr([secret]), repr({"k": secret})])
    assert secret.reveal() == "192006250b4c09247ec02edce69f6a2d"


@pytest.mark.parametrize("separator", ["", "\n"])
def test_a_private_key_without_pem_armour_is_never_echoed(server: FakeWeChatPay, separator: str) -> None:
    settings = server.client_settings()
    lines = [line for line in settings["private_key"].splitlines() if "-----" not in line]
    with pytest.raises(rt.ConfigurationError, match="not shown") as caught:
        rt.SyncClientBase(**{**settings, "private_key": separator.join(lines)})
    assert caught.value.__context__ is None  # the OSError would carry the value as its file name
    _assert_hidden(caught.value, settings)


def test_a_private_key_without_pem_armour_from_the_environment(
    server: FakeWeChatPay, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = server.client_settings()
    monkeypatch.setenv("WECHATPAY_MCHID", settings["mchid"])
    monkeypatch.setenv("WECHATPAY_MERCHANT_SERIAL_NO", settings["merchant_serial_no"])
    monkeypatch.setenv("WECHATPAY_APIV3_KEY", settings["apiv3_key"])
    monkeypatch.setenv("WECHATPAY_APIV2_KEY", settings["apiv2_key"])
    monkeypatch.setenv("WECHATPAY_PRIVATE_KEY", _raw_base64(settings))
    with pytest.raises(rt.ConfigurationError, match="not shown") as caught:
        rt.SyncClientBase.from_env()
    _assert_hidden(caught.value, settings)
    monkeypatch.setenv("WECHATPAY_PRIVATE_KEY", settings["private_key"])
    monkeypatch.setenv("WECHATPAY_TIMEOUT", "soon")
    with pytest.raises(rt.ConfigurationError, match="WECHATPAY_TIMEOUT") as caught:
        rt.SyncClientBase.from_env()
    for secret in _secrets(settings):
        assert secret not in _shown(caught.value)


def test_a_missing_key_file_is_still_named(server: FakeWeChatPay, tmp_path: Path) -> None:
    with pytest.raises(rt.ConfigurationError, match="cannot read file .*apiclient_key.pem"):
        rt.SyncClientBase(**{**server.client_settings(), "private_key": str(tmp_path / "apiclient_key.pem")})


def test_construction_errors_hide_the_secrets(server: FakeWeChatPay) -> None:
    settings = server.client_settings()
    with pytest.raises(rt.ConfigurationError, match="max_retries") as caught:
        rt.SyncClientBase(**settings, max_retries=-1)
    _assert_hidden(caught.value, settings)
    with pytest.raises(rt.ConfigurationError, match="apiv3_key") as caught:
        rt.SyncClientBase(**{**settings, "apiv3_key": settings["apiv3_key"][:-1]})
    assert settings["apiv3_key"][:-1] not in _shown(caught.value)
    assert "apiv2_key" not in repr(rt.SyncClientBase(**settings)._credentials)


async def test_apiv2_signing_path_keeps_the_key_out_of_locals(
    c: Any, server: FakeWeChatPay, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wechatpay_runtime_under_test import v2

    settings = server.client_settings()
    with pytest.raises(rt.RequestValidationError) as caught_type:
        await wait(c._send(ORDERQUERY, body={"out_trade_no": "T1", "sign_type": "SHA1"}))
    _assert_hidden(caught_type.value, settings)
    # a failure at the very bottom of the signing path: every frame above the hash is in the traceback
    failing = types.SimpleNamespace(md5=bytes.fromhex, sha256=hashlib.sha256)  # fromhex(bytes) raises TypeError
    monkeypatch.setattr(v2, "hashlib", failing)
    with pytest.raises(TypeError) as caught_hash:
        await wait(c._send(ORDERQUERY, body={"out_trade_no": "T1"}))
    assert "_digest" in _shown(caught_hash.value)
    _assert_hidden(caught_hash.value, settings)


async def test_answer_and_notification_failures_hide_the_keys(c: Any, server: FakeWeChatPay) -> None:
    settings = server.client_settings()
    forged = {"return_code": "SUCCESS", "result_code": "SUCCESS", "sign": "0" * 32}
    _answer(server, "/pay/orderquery", forged)
    with pytest.raises(rt.SignatureVerificationError) as caught:
        await wait(c._send(ORDERQUERY, body={"out_trade_no": "T1"}))
    _assert_hidden(caught.value, settings, wrapped_in_frames=False)
    refund = server.v2_refund_notification({"out_refund_no": "R1"}).replace(b"<req_info>", b"<req_info>AAAA")
    with pytest.raises(rt.DecryptionError) as caught:
        c.parse_v2_notification(refund)
    _assert_hidden(caught.value, settings)
    _, body = server.make_notification("TRANSACTION.SUCCESS", RESOURCE)
    envelope = json.loads(body)
    envelope["resource"]["ciphertext"] = "AAAA" + envelope["resource"]["ciphertext"][4:]
    tampered = json.dumps(envelope).encode()
    with pytest.raises(rt.DecryptionError) as caught:
        await wait(c.parse_notification(server.sign_headers(tampered), tampered))
    _assert_hidden(caught.value, settings)
