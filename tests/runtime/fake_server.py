"""A fake WeChat Pay service over real HTTP on 127.0.0.1, for tests and benchmarks.

It checks requests the way the service does and signs its answers, independently of the runtime under
test (it uses `cryptography` directly):

- APIv3: the `Authorization` header (mchid, merchant serial, 300 s window, fresh nonce, SHA256withRSA over
  `METHOD\\nTARGET\\nTIMESTAMP\\nNONCE\\nBODY\\n` with TARGET exactly as on the request line and, for
  uploads, BODY = the multipart `meta` part); a failure answers 401 SIGN_ERROR. Responses carry
  Wechatpay-Timestamp/Nonce/Serial/Signature from the current `signer` (a platform certificate or a
  `PUB_KEY_ID_...` key); `fault` breaks them on purpose.
- APIv2: XML parsed with defusedxml, `sign` checked (MD5 / HMAC-SHA256 per `sign_type`), `nonce_str`
  required unless the route is nonceless; answers are signed XML.
- Built-in routes: `GET /v3/certificates`, `GET /v3/billdownload/file` (unsigned), `POST
  /v3/merchant/media/upload`. Tests add others with `route()`.

Usage::

    with FakeWeChatPay.create() as server:
        server.route("POST", "/v3/pay/transactions/jsapi", lambda req: {"prepay_id": "wx1"})
        client = SyncClientBase(**server.client_settings(), base_url=server.base_url)
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
import ipaddress
import json
import re
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID
from defusedxml.ElementTree import fromstring

OAEP = asym_padding.OAEP(mgf=asym_padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)


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


# -- the server ----------------------------------------------------------------------------------------


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
    ) -> None:
        self.merchant = merchant
        self.signers = {s.key_id: s for s in signers}
        self.signer = signers[0]
        self.apiv3_key = apiv3_key
        self.apiv2_key = apiv2_key
        self.apiv2_rsa_key = apiv2_rsa_key()
        self.fault: str | None = None
        self.routes: dict[tuple[str, str], Route] = {}
        self.requests: list[FakeRequest] = []
        self.rejections: list[str] = []
        self.bills: dict[str, bytes] = {}
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self.route("GET", "/v3/certificates", self._certificates)
        self.route("GET", "/v3/billdownload/file", self._bill)
        self.route("POST", "/v3/merchant/media/upload", self._upload)

    @classmethod
    def create(
        cls, *, signers: list[Signer] | None = None, tls: ssl.SSLContext | None = None, merchant: Merchant | None = None
    ) -> FakeWeChatPay:
        """A service with fresh APIv2/APIv3 keys (RSA keys are reused across instances: generating them is slow)."""
        return cls(
            merchant or default_merchant(),
            signers or [Signer.platform()],
            apiv3_key=secrets.token_hex(16).encode(),
            apiv2_key=secrets.token_hex(16),
            tls=tls,
        )

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> FakeWeChatPay:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

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
        self.routes[(method, path)] = Route(handler, nonceless, client_cert, signed_query)

    def client_settings(self, *, public_key: bool | None = None, certificates: bool | None = None) -> dict[str, Any]:
        """Constructor arguments for a client of this merchant (both key modes when the server has both)."""
        settings: dict[str, Any] = {
            "mchid": self.merchant.mchid,
            "merchant_serial_no": self.merchant.serial_no,
            "private_key": private_pem(self.merchant.key),
            "apiv3_key": self.apiv3_key.decode(),
            "apiv2_key": self.apiv2_key,
            "apiv2_rsa_public_key": public_pem(self.apiv2_rsa_key.public_key()),
            "base_url": self.base_url,
        }
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

    # -- signing what the service sends -----------------------------------------------------------------

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

    def notification(
        self,
        resource: dict[str, Any],
        *,
        event_type: str = "TRANSACTION.SUCCESS",
        signer: Signer | None = None,
        timestamp: int | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """A v3 notification as the service posts it: (headers, raw body)."""
        envelope = {
            "id": secrets.token_hex(8),
            "create_time": "2026-01-01T00:00:00+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                **self.seal(json.dumps(resource, ensure_ascii=False).encode()),
                "original_type": "transaction",
            },
        }
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        return {"Content-Type": "application/json", **self.sign_headers(body, signer=signer, timestamp=timestamp)}, body

    def v2_notification(self, params: dict[str, str], sign_type: str = "MD5") -> bytes:
        signed = {**params, "nonce_str": secrets.token_hex(16)}
        if sign_type != "MD5":
            signed["sign_type"] = sign_type
        signed["sign"] = v2_sign(signed, self.apiv2_key, sign_type)
        return v2_xml(signed)

    def v2_refund_notification(self, req_info: dict[str, str]) -> bytes:
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

    def _bill(self, request: FakeRequest) -> Any:
        bill = self.bills.get(request.query.get("token", ""))
        if bill is None:
            return Reply.error(400, "PARAM_ERROR", "token invalid")
        return Reply(200, bill, {"Content-Type": "application/octet-stream"}, signed=False)

    def _upload(self, request: FakeRequest) -> Any:
        meta = json.loads(request.parts["meta"][0])
        data, filename = request.parts["file"]
        if hashlib.sha256(data).hexdigest() != meta["sha256"] or filename != meta["filename"]:
            return Reply.error(400, "PARAM_ERROR", "sha256 or filename mismatch")
        return {"media_id": "media-" + meta["sha256"][:16]}

    # -- checking what the merchant sends ---------------------------------------------------------------

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
        self.requests.append(request)
        route = self.routes.get((request.method, request.path))
        if route is None:
            return Reply.error(404, "NOT_FOUND", "no such route")
        if route.client_cert and request.peer_certificate is None:
            return Reply.error(403, "NO_CLIENT_CERT", "client certificate required")
        if request.path.startswith("/v3/"):
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
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts[str(name)] = (payload, part.get_filename())
    return parts


def _make_handler(server: FakeWeChatPay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no 40 ms delayed-ACK stalls

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            split = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            peer = None
            if isinstance(self.connection, ssl.SSLSocket):
                peer = self.connection.getpeercert(binary_form=True)
            request = FakeRequest(
                method=self.command,
                target=self.path,
                path=split.path,
                query=dict(parse_qsl(split.query, keep_blank_values=True)),
                headers=headers,
                body=body,
                peer_certificate=peer,
            )
            if headers.get("content-type", "").startswith("multipart/form-data"):
                request.parts = _multipart(headers["content-type"], body)
            reply = server.finish(server.answer(request))
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
