"""`wechatpay.testing`: a fake WeChat Pay for merchants' own tests (and this SDK's).

It checks requests the way the service does and signs its answers, independently of this package's own signing
code (it uses `cryptography` directly), so that a client passing its checks speaks the real protocol:

- APIv3: the `Authorization` header (mchid, merchant serial, 300 s window, fresh nonce, SHA256withRSA over
  `METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\nBODY\\n` with TARGET exactly as on the request line and, for
  uploads, BODY = the multipart `meta` part); a failure answers 401 SIGN_ERROR. Answers carry
  Wechatpay-Timestamp/Nonce/Serial/Signature from the current `signer` (a platform certificate or a
  `PUB_KEY_ID_...` key); `fault` breaks them on purpose.
- APIv2: XML parsed with defusedxml, `sign` checked (MD5 / HMAC-SHA256 per `sign_type`), `nonce_str`
  required unless the operation is nonceless; answers are signed XML.

What it answers, first match wins: a route the test gives (`route()`, `{placeholders}` allowed); with `upstream`,
the upstream's answer signed as the service's own (a spec-validating mock such as Prism behind a signing proxy);
for an operation of the package it ships in, a schema-valid default built from the operation's response model;
else 404. Built in: `GET /v3/certificates`, the bills (`add_bill`) and `POST /v3/merchant/media/upload`.

Two ways in, the same checks behind both: an httpx transport (`http_client=fake.http_client()`, no socket), or a
local HTTP server (`with fake:` serves on 127.0.0.1; `client_settings()` then names its `base_url`)::

    from wechatpay import Client, testing

    fake = testing.FakeWeChatPay.create()
    fake.route("POST", "/v3/pay/transactions/jsapi", lambda request: {"prepay_id": "wx1"})
    client = Client(**fake.client_settings(), http_client=fake.http_client())
    headers, body = fake.make_notification("TRANSACTION.SUCCESS", {"out_trade_no": "T1", ...})
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import email.parser
import email.policy
import functools
import hashlib
import hmac
import importlib
import ipaddress
import json
import re
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from defusedxml.ElementTree import fromstring
from typing_extensions import Self

OAEP = asym_padding.OAEP(mgf=asym_padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
SERVICE_URL = "https://api.mch.weixin.qq.com"  # where the transport pretends to be; clients default to it
_HOP_BY_HOP = frozenset({"host", "content-length", "connection", "transfer-encoding", "accept-encoding"})


# -- key material --------------------------------------------------------------------------------------


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _build_cert(
    key: rsa.RSAPrivateKey, subject: x509.Name, serial: int, now: dt.datetime, days: int
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class Signer:
    """A key WeChat Pay signs with: a platform certificate (id = its serial) or a public key (PUB_KEY_ID_...)."""

    key_id: str
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate | None = None

    @classmethod
    def platform(cls, serial: int | None = None) -> Signer:
        key = new_key()
        serial = serial or secrets.randbits(64) | (1 << 63)
        cert = _build_cert(
            key,
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")]),
            serial,
            dt.datetime.now(dt.timezone.utc),
            365,
        )
        return cls(format(serial, "X"), key, cert)

    @classmethod
    def public_key(cls) -> Signer:
        return cls("PUB_KEY_ID_" + secrets.token_hex(14).upper(), new_key())

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.key.sign(message, asym_padding.PKCS1v15(), hashes.SHA256())).decode()

    def decrypt(self, ciphertext_b64: str) -> str:
        return self.key.decrypt(base64.b64decode(ciphertext_b64), OAEP).decode()


@dataclass
class Merchant:
    mchid: str
    serial_no: str
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def create(cls, mchid: str = "1230000109") -> Merchant:
        key = new_key()
        serial = secrets.randbits(159) | (1 << 158)
        cert = _build_cert(
            key,
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, mchid)]),
            serial,
            dt.datetime.now(dt.timezone.utc),
            365,
        )
        return cls(mchid, format(serial, "X"), key, cert)


@functools.lru_cache(maxsize=1)
def default_merchant() -> Merchant:
    return Merchant.create()


@functools.lru_cache(maxsize=1)
def apiv2_rsa_key() -> rsa.RSAPrivateKey:
    """The key behind /risk/getpublickey: APIv2 bank payments and risk queries encrypt their sensitive fields to it."""
    return new_key()


# -- requests and replies ------------------------------------------------------------------------------


@dataclass
class FakeRequest:
    method: str
    target: str  # exactly as on the request line
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    parts: dict[str, tuple[bytes, str | None]] = field(default_factory=dict)  # multipart: name -> (data, filename)
    xml: dict[str, str] = field(default_factory=dict)
    peer_certificate: bytes | None = None
    path_params: dict[str, str] = field(default_factory=dict)  # the values of a route's `{placeholders}`

    @classmethod
    def received(
        cls, method: str, target: str, headers: Mapping[str, str], body: bytes, peer_certificate: bytes | None = None
    ) -> FakeRequest:
        """A request as it arrived, from either way in."""
        split = urlsplit(target)
        lowered = {name.lower(): value for name, value in headers.items()}
        request = cls(
            method=method,
            target=target,
            path=split.path,
            query=dict(parse_qsl(split.query, keep_blank_values=True)),
            headers=lowered,
            body=body,
            peer_certificate=peer_certificate,
        )
        if lowered.get("content-type", "").startswith("multipart/form-data"):
            request.parts = _multipart(lowered["content-type"], body)
        return request

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    signed: bool = True
    drop: bool = False  # close the connection without answering
    delay: float = 0.0

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Reply:
        return cls(status, json.dumps(value, ensure_ascii=False).encode(), {"Content-Type": "application/json"})

    @classmethod
    def error(cls, status: int, code: str, message: str, detail: Any = None) -> Reply:
        value: dict[str, Any] = {"code": code, "message": message}
        if detail is not None:
            value["detail"] = detail
        return cls.json(value, status)


Handler = Callable[[FakeRequest], Any]


@dataclass
class Route:
    """What answers one operation. A handler returns a `Reply`, a JSON value (APIv3), the fields of the XML answer
    (APIv2; `return_code`, `nonce_str` and `sign` are added), or None (204)."""

    handler: Handler
    nonceless: bool = False
    client_cert: bool = False
    signed_query: bool = False  # APIv2 without a body: the query's fields carry the sign, and no nonce


def v2_sign(params: dict[str, str], key: str, sign_type: str) -> str:
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k] != "") + f"&key={key}"
    if sign_type == "HMAC-SHA256":
        return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest().upper()
    return hashlib.md5(text.encode()).hexdigest().upper()


def v2_xml(params: dict[str, str]) -> bytes:
    return ("<xml>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in params.items()) + "</xml>").encode()


# -- the service ---------------------------------------------------------------------------------------


class FakeWeChatPay:
    """The fake service. `fault` breaks responses on purpose: None, "signature" (a wrong signature),
    "probe" (WECHATPAY/SIGNTEST), "skew" (timestamp 10 min old), "unsigned" (no signature headers),
    "body" (body changed after signing)."""

    def __init__(
        self,
        merchant: Merchant,
        signers: list[Signer],
        *,
        apiv3_key: bytes,
        apiv2_key: str,
        tls: ssl.SSLContext | None = None,
        upstream: str | None = None,
        package: str | None = None,
    ) -> None:
        self.merchant = merchant
        self.signers = {s.key_id: s for s in signers}
        self.signer = signers[0]
        self.apiv3_key = apiv3_key
        self.apiv2_key = apiv2_key
        self.apiv2_rsa_key = apiv2_rsa_key()
        self.upstream = upstream.rstrip("/") if upstream else None
        self.package = package
        self.fault: str | None = None
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[FakeRequest] = []
        self.rejections: list[str] = []
        self.bills: dict[str, bytes] = {}  # download token -> file
        self._bill_dates: dict[str, dict[str, str]] = {}  # bill_date -> its download URL and digest
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self._tls = tls
        self._httpd: ThreadingHTTPServer | None = None
        self.route("GET", "/v3/certificates", self._certificates)
        self.route("GET", "/v3/bill/tradebill", self._bill_of_date)
        self.route("GET", "/v3/bill/fundflowbill", self._bill_of_date)
        self.route("GET", "/v3/billdownload/file", self._bill)
        self.route("POST", "/v3/merchant/media/upload", self._upload)

    @classmethod
    def create(
        cls,
        *,
        signers: list[Signer] | None = None,
        tls: ssl.SSLContext | None = None,
        merchant: Merchant | None = None,
        upstream: str | None = None,
        package: str | None = None,
    ) -> FakeWeChatPay:
        """A service with fresh APIv2/APIv3 keys (the merchant's RSA key is reused: generating one is slow).

        `upstream`: the URL of a mock to forward unrouted requests to. `package`: the generated package whose
        operations get default answers; by default the one this module ships in."""
        return cls(
            merchant or default_merchant(),
            signers or [Signer.platform()],
            apiv3_key=secrets.token_hex(16).encode(),
            apiv2_key=secrets.token_hex(16),
            tls=tls,
            upstream=upstream,
            package=package or _own_package(),
        )

    # -- the two ways in --------------------------------------------------------------------------------

    def transport(self, client_certificate: bool = False) -> httpx.MockTransport:
        """An httpx transport answering as the service, sync and async: `httpx.Client(transport=...)`. With
        `client_certificate`, its requests come as over mTLS with the merchant's certificate."""
        presented = self.merchant.certificate.public_bytes(serialization.Encoding.DER) if client_certificate else None
        return httpx.MockTransport(functools.partial(self._exchange, presented))

    def http_client(self, client_certificate: bool = False, **settings: Any) -> httpx.Client:
        """The `http_client=` of a `Client` talking to this fake; with `client_certificate`, its
        `mtls_http_client=` (for the operations that need the merchant certificate)."""
        return httpx.Client(transport=self.transport(client_certificate), **settings)

    def async_http_client(self, client_certificate: bool = False, **settings: Any) -> httpx.AsyncClient:
        """The `http_client=` (or, with `client_certificate`, `mtls_http_client=`) of an `AsyncClient`."""
        return httpx.AsyncClient(transport=self.transport(client_certificate), **settings)

    def __enter__(self) -> Self:
        """Serve over HTTP (HTTPS with `tls`) on 127.0.0.1 until the block ends."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        if self._tls is not None:
            self._httpd.socket = self._tls.wrap_socket(self._httpd.socket, server_side=True)
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def base_url(self) -> str:
        """The local server's URL while it serves, else the service's own (what the transport stands for)."""
        if self._httpd is None:
            return SERVICE_URL
        scheme = "http" if self._tls is None else "https"
        return f"{scheme}://127.0.0.1:{self._httpd.server_address[1]}"

    def _exchange(self, presented: bytes | None, request: httpx.Request) -> httpx.Response:
        received = FakeRequest.received(
            request.method, request.url.raw_path.decode("ascii"), request.headers, request.content, presented
        )
        reply = self.handle(received)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            raise httpx.RemoteProtocolError("the server closed the connection without answering", request=request)
        headers = {"Request-ID": "req-" + secrets.token_hex(6), **reply.headers}
        return httpx.Response(reply.status, headers=headers, content=reply.body, request=request)

    # -- configuring ------------------------------------------------------------------------------------

    def route(
        self,
        method: str,
        path: str,
        handler: Handler,
        *,
        nonceless: bool = False,
        client_cert: bool = False,
        signed_query: bool = False,
    ) -> None:
        """Answer `method path` (a path may hold `{placeholders}`: their values are in `request.path_params`)."""
        self.routes[(method, path)] = Route(handler, nonceless, client_cert, signed_query)

    def add_bill(self, content: bytes, bill_date: str = "2026-01-01") -> dict[str, str]:
        """A bill to download: what `GET /v3/bill/tradebill?bill_date=...` (or fundflowbill) answers for it."""
        token = secrets.token_hex(8)
        self.bills[token] = content
        self._bill_dates[bill_date] = {
            "hash_type": "SHA1",
            "hash_value": hashlib.sha1(content).hexdigest(),
            "download_url": f"{self.base_url}/v3/billdownload/file?token={token}",
        }
        return self._bill_dates[bill_date]

    def client_settings(self, *, public_key: bool | None = None, certificates: bool | None = None) -> dict[str, Any]:
        """Constructor arguments for a client of this merchant (both key modes when the service has both; the
        local server's `base_url` while it serves)."""
        settings: dict[str, Any] = {
            "mchid": self.merchant.mchid,
            "merchant_serial_no": self.merchant.serial_no,
            "private_key": private_pem(self.merchant.key),
            "apiv3_key": self.apiv3_key.decode(),
            "apiv2_key": self.apiv2_key,
            "apiv2_rsa_public_key": public_pem(self.apiv2_rsa_key.public_key()),
        }
        if self._httpd is not None:
            settings["base_url"] = self.base_url
        certs = [cert_pem(s.certificate) for s in self.signers.values() if s.certificate is not None]
        keys = [s for s in self.signers.values() if s.key_id.startswith("PUB_KEY_ID_")]
        if keys and public_key is not False:
            settings["wechatpay_public_key"] = public_pem(keys[0].key.public_key())
            settings["wechatpay_public_key_id"] = keys[0].key_id
        if certs and certificates is not False:
            settings["platform_certificates"] = certs
        return settings

    def decrypt_v2(self, ciphertext: str) -> str:
        """An APIv2 sensitive field as the service reads it: with the /risk/getpublickey key."""
        plaintext: bytes = self.apiv2_rsa_key.decrypt(base64.b64decode(ciphertext), OAEP)
        return plaintext.decode()

    def decrypt(self, request: FakeRequest, ciphertext: str) -> str:
        """A sensitive field as the service reads it: with the key named by Wechatpay-Serial."""
        signer = self.signers[request.headers["wechatpay-serial"]]
        return signer.decrypt(ciphertext)

    # -- what the service sends -------------------------------------------------------------------------

    def sign_headers(
        self, body: bytes, *, signer: Signer | None = None, timestamp: int | None = None
    ) -> dict[str, str]:
        signer = signer or self.signer
        ts = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        signature = signer.sign(f"{ts}\n{nonce}\n".encode() + body + b"\n")
        return {
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": signature,
            "Wechatpay-Serial": signer.key_id,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def seal(self, plaintext: bytes, associated_data: str = "transaction") -> dict[str, str]:
        nonce = secrets.token_urlsafe(9)[:12]
        ciphertext = AESGCM(self.apiv3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())
        return {
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ciphertext).decode(),
            "nonce": nonce,
            "associated_data": associated_data,
        }

    def make_notification(
        self,
        event_type: str,
        resource: Any,
        *,
        summary: str = "",
        signer: Signer | None = None,
        timestamp: int | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """A v3 notification as the service posts it, (headers, raw body): `resource` (the decrypted resource,
        any JSON value) sealed with the APIv3 key, the body signed."""
        original_type = event_type.partition(".")[0].lower()  # TRANSACTION.SUCCESS -> transaction
        envelope = {
            "id": secrets.token_hex(8),
            "create_time": "2026-01-01T00:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": summary or event_type,
            "resource": {
                **self.seal(json.dumps(resource, ensure_ascii=False).encode(), original_type),
                "original_type": original_type,
            },
        }
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        return {"Content-Type": "application/json", **self.sign_headers(body, signer=signer, timestamp=timestamp)}, body

    def v2_notification(self, params: dict[str, str], sign_type: str = "MD5") -> bytes:
        """An APIv2 notification's XML body, signed with the APIv2 key."""
        signed = {**params, "nonce_str": secrets.token_hex(16)}
        if sign_type != "MD5":
            signed["sign_type"] = sign_type
        signed["sign"] = v2_sign(signed, self.apiv2_key, sign_type)
        return v2_xml(signed)

    def v2_refund_notification(self, req_info: dict[str, str]) -> bytes:
        """An APIv2 refund notification's XML body: `req_info` AES-256-ECB encrypted with the APIv2 key's MD5."""
        key = hashlib.md5(self.apiv2_key.encode()).hexdigest().encode()
        padder = padding.PKCS7(128).padder()
        data = padder.update(v2_xml(req_info)) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
        sealed = base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()
        return v2_xml(
            {
                "return_code": "SUCCESS",
                "appid": "wx1",
                "mch_id": self.merchant.mchid,
                "nonce_str": secrets.token_hex(16),
                "req_info": sealed,
            }
        )

    # -- built-in routes --------------------------------------------------------------------------------

    def _certificates(self, request: FakeRequest) -> Any:
        data = []
        for signer in self.signers.values():
            if signer.certificate is None:
                continue
            data.append(
                {
                    "serial_no": signer.key_id,
                    "effective_time": signer.certificate.not_valid_before_utc.isoformat(),
                    "expire_time": signer.certificate.not_valid_after_utc.isoformat(),
                    "encrypt_certificate": self.seal(cert_pem(signer.certificate).encode(), "certificate"),
                }
            )
        return {"data": data}

    def _bill_of_date(self, request: FakeRequest) -> Any:
        bill = self._bill_dates.get(request.query.get("bill_date", ""))
        if bill is None and self.upstream is not None:  # not a bill of this fake's: the upstream's to answer
            return self._forward(self.upstream, "", request)
        if bill is None:
            return Reply.error(400, "NO_STATEMENT_EXIST", "no bill for that date")
        return bill

    def _bill(self, request: FakeRequest) -> Any:
        bill = self.bills.get(request.query.get("token", ""))
        if bill is None and self.upstream is not None:  # not a bill of this fake's: the upstream's to answer
            return self._forward(self.upstream, "", request)
        if bill is None:
            return Reply.error(400, "PARAM_ERROR", "token invalid")
        return Reply(200, bill, {"Content-Type": "application/octet-stream"}, signed=False)

    def _upload(self, request: FakeRequest) -> Any:
        meta = json.loads(request.parts["meta"][0])
        data, filename = request.parts["file"]
        if hashlib.sha256(data).hexdigest() != meta["sha256"] or filename != meta["filename"]:
            return Reply.error(400, "PARAM_ERROR", "sha256 or filename mismatch")
        return {"media_id": "media-" + meta["sha256"][:16]}

    # -- answering what the merchant sends --------------------------------------------------------------

    def handle(self, request: FakeRequest) -> Reply:
        """The whole answer to a request, signature headers included."""
        return self.finish(self.answer(request))

    def check_v3(self, request: FakeRequest) -> str | None:
        """None when the Authorization header is valid for this exact request, else the reason."""
        header = request.headers.get("authorization", "")
        scheme, _, rest = header.partition(" ")
        if scheme != "WECHATPAY2-SHA256-RSA2048":
            return "scheme"
        fields = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if fields.get("mchid") != self.merchant.mchid:
            return "mchid"
        if fields.get("serial_no") != self.merchant.serial_no:
            return "serial_no"
        if not fields.get("timestamp", "").isdigit() or abs(time.time() - int(fields["timestamp"])) >= 300:
            return "timestamp"
        with self._lock:
            if not fields.get("nonce_str") or fields["nonce_str"] in self._nonces:
                return "nonce"
            self._nonces.add(fields["nonce_str"])
        body = request.parts["meta"][0] if "meta" in request.parts else request.body
        message = f"{request.method}\n{request.target}\n{fields['timestamp']}\n{fields['nonce_str']}\n".encode()
        try:
            self.merchant.key.public_key().verify(
                base64.b64decode(fields.get("signature", "")),
                message + body + b"\n",
                asym_padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return "signature"
        return None

    def check_v2(self, request: FakeRequest, route: Route) -> str | None:
        params = request.xml
        sign_type = params.get("sign_type", "MD5")
        nonceless = route.nonceless or route.signed_query
        if not nonceless and not params.get("nonce_str"):
            return "nonce_str"
        if nonceless and "nonce_str" in params:
            return "unexpected nonce_str"
        if params.get("sign") != v2_sign(params, self.apiv2_key, sign_type):
            return "sign"
        return None

    def answer(self, request: FakeRequest) -> Reply:
        """The answer before signing: the request checked, then its route's."""
        self.requests.append(request)
        route = self._route(request)
        if route is None:
            return Reply.error(404, "NOT_FOUND", "no such route")
        if route.client_cert and request.peer_certificate is None:
            return Reply.error(403, "NO_CLIENT_CERT", "client certificate required")
        if _is_v3(request.path):
            reason = self.check_v3(request)
            if reason is not None:
                self.rejections.append(reason)
                return Reply.error(401, "SIGN_ERROR", f"signature check failed: {reason}")
            return _as_reply(route.handler(request))
        try:
            request.xml = (
                dict(request.query)  # the fields the sign covers
                if route.signed_query
                else {c.tag: c.text or "" for c in fromstring(request.body, forbid_dtd=True)}
            )
        except Exception:  # noqa: BLE001 - any unparsable body is the merchant's error
            return Reply(200, v2_xml({"return_code": "FAIL", "return_msg": "XML format error"}), signed=False)
        reason = self.check_v2(request, route)
        if reason is not None:
            self.rejections.append(reason)
            return Reply(
                200, v2_xml({"return_code": "FAIL", "return_msg": f"sign check failed: {reason}"}), signed=False
            )
        result = route.handler(request)
        if isinstance(result, Reply):
            return result
        params = {"return_code": "SUCCESS", "return_msg": "OK", "nonce_str": secrets.token_hex(16), **result}
        params["sign"] = v2_sign(params, self.apiv2_key, request.xml.get("sign_type", "MD5"))
        return Reply(200, v2_xml(params), {"Content-Type": "text/xml"}, signed=False)

    def finish(self, reply: Reply) -> Reply:
        """Add signature headers (or break them, per `fault`)."""
        if not reply.signed or self.fault == "unsigned":
            return reply
        timestamp = int(time.time()) - 600 if self.fault == "skew" else None
        headers = self.sign_headers(reply.body, timestamp=timestamp)
        if self.fault == "signature":
            headers["Wechatpay-Signature"] = self.signer.sign(b"something else")
        elif self.fault == "probe":
            headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"][19:]
        body = reply.body + b" " if self.fault == "body" else reply.body
        return dataclasses.replace(reply, body=body, headers={**reply.headers, **headers})

    def _route(self, request: FakeRequest) -> Route | None:
        """The test's route, else the upstream, else the documented operation's default answer."""
        exact = self.routes.get((request.method, request.path))
        if exact is not None:
            return exact
        for (method, path), route in self.routes.items():
            match = _template(path).fullmatch(request.path) if method == request.method and "{" in path else None
            if match is not None:
                request.path_params = match.groupdict()
                return route
        endpoint = self._documented(request)
        checks = {} if endpoint is None else _checks(endpoint.operation)
        if self.upstream is not None:
            prefix = "" if endpoint is None else _base_path(endpoint.operation)
            return Route(functools.partial(self._forward, self.upstream, prefix), **checks)
        if endpoint is not None:
            return Route(functools.partial(_default_answer, endpoint), **checks)
        return None

    def _documented(self, request: FakeRequest) -> Any:
        """The generated `Endpoint` of the operation the request is for, if the package documents it."""
        if self.package is None:
            return None
        for endpoint in _endpoints(self.package, request.path):
            operation = endpoint.operation
            if operation.method == request.method and _template(_base_path(operation) + operation.path).fullmatch(
                request.path
            ):
                return endpoint
        return None

    @staticmethod
    def _forward(upstream: str, prefix: str, request: FakeRequest) -> Any:
        """The upstream's answer, to be signed as the service's own; an APIv2 answer as its XML's fields. One
        upstream stands for every host: an operation's host path (`/hk` of apihk...) is left out, as a mock of
        the spec's paths expects."""
        headers = {name: value for name, value in request.headers.items() if name not in _HOP_BY_HOP}
        target = request.target.removeprefix(prefix)
        answer = httpx.request(request.method, upstream + target, headers=headers, content=request.body)
        if _is_v3(request.path) or not answer.is_success:  # the upstream's verdict on a request, as is
            kept = {name: answer.headers[name] for name in ("content-type",) if name in answer.headers}
            return Reply(answer.status_code, answer.content, kept)
        return {element.tag: element.text or "" for element in fromstring(answer.content, forbid_dtd=True)}


def _own_package() -> str | None:
    """The generated package this module ships in (`wechatpay` for `wechatpay._runtime.testing`), if any."""
    parent, _, runtime = (__package__ or "").rpartition(".")
    return parent if runtime == "_runtime" else None


@functools.cache
def _template(path: str) -> re.Pattern[str]:
    """A path with `{placeholders}` as a pattern of request paths (a placeholder is one segment)."""
    return re.compile(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path)))


def _endpoints(package: str, path: str) -> Iterator[Any]:
    """The `Endpoint`s of the operations whose path could be `path`, found through the package's own tree table
    (`_tree.NODES`: call path -> resource classes), so that only their spec modules are imported."""
    nodes = importlib.import_module(f"{package}._tree").NODES
    endpoint_class = importlib.import_module(f"{package}._core").Endpoint
    hosted = "/" + path.split("/", 2)[-1]  # the path on a host with a path of its own (`/hk/v3/...`)
    for call_path, entry in nodes.items():
        resources = entry.split(";")[1].split()
        pattern = _template("/" + call_path.removeprefix("v2/"))  # APIv2: no /v2 on the wire
        if resources and (pattern.fullmatch(path) or pattern.fullmatch(hosted)):
            for module in dict.fromkeys(resource.partition(":")[0] for resource in resources):
                for value in vars(importlib.import_module(f"{package}._specs.{module}")).values():
                    if isinstance(value, endpoint_class):
                        yield value


def _is_v3(path: str) -> bool:
    """An APIv3 path, on the main host or on one with a path of its own (`/hk/v3/...`)."""
    return path.startswith("/v3/") or path.split("/", 2)[-1].startswith("v3/")


def _base_path(operation: Any) -> str:
    """The path of the host an operation goes to (`/hk` of `https://apihk.mch.weixin.qq.com/hk`), else ""."""
    return urlsplit(operation.base_url or "").path.rstrip("/")


def _checks(operation: Any) -> dict[str, bool]:
    """What the service checks of an operation's request besides its signature, as its page says."""
    return {
        "nonceless": operation.nonceless,
        "client_cert": operation.client_cert,
        "signed_query": operation.signed_query,
    }


def _default_answer(endpoint: Any, request: FakeRequest) -> Any:
    """A schema-valid answer for the operation: its response model's required fields, each the first value its
    schema allows (an enum's first, 0, false, an empty list, the field's name for a string)."""
    operation, returns = endpoint.operation, endpoint._returns  # the generated package's own table
    if returns is bytes:
        media = operation.response_media or "application/octet-stream"
        return Reply(200, b"", {"Content-Type": media}, signed=not operation.unsigned_response)
    if returns is type(None):
        return None
    schema = returns.model_json_schema()
    value = _simplest(schema, schema.get("$defs", {}))
    if operation.api == "v2":  # the XML's top-level elements (an enum's first value is SUCCESS)
        return {key: str(item) for key, item in value.items() if not isinstance(item, (dict, list))}
    return value


def _simplest(schema: Mapping[str, Any], defs: Mapping[str, Any], name: str = "") -> Any:
    """The simplest value `schema` (pydantic's JSON Schema) accepts: required properties only."""
    if "$ref" in schema:
        return _simplest(defs[schema["$ref"].rpartition("/")[2]], defs, name)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    choices = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if choices:
        return _simplest(next((c for c in choices if c.get("type") != "null"), choices[0]), defs, name)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: _simplest(properties[key], defs, key) for key in schema.get("required", ())}
    if kind == "string" and "contentSchema" in schema:  # JSON in a string
        return json.dumps(_simplest(schema["contentSchema"], defs, name), ensure_ascii=False)
    return {"string": name, "integer": 0, "number": 0, "boolean": False, "array": [], "null": None}.get(str(kind), name)


def _as_reply(result: Any) -> Reply:
    if isinstance(result, Reply):
        return result
    if result is None:
        return Reply(204)
    return Reply.json(result)


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[bytes, str | None]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    parts: dict[str, tuple[bytes, str | None]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = cast(bytes, part.get_payload(decode=True))  # decode=True: a leaf part's bytes
        parts[str(name)] = (payload, part.get_filename())
    return parts


def _make_handler(service: FakeWeChatPay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            peer = None
            if isinstance(self.connection, ssl.SSLSocket):
                peer = self.connection.getpeercert(binary_form=True)
            reply = service.handle(
                FakeRequest.received(self.command, self.path, dict(self.headers.items()), body, peer)
            )
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.send_response(reply.status)
            self.send_header("Request-ID", "req-" + secrets.token_hex(6))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler
