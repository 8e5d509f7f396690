"""The client bases: configuration, signing per attempt, verification, retries; sync and async IO."""

from __future__ import annotations

import json
import logging
import os
import platform
import random
import ssl
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from typing_extensions import ParamSpec

import httpx
from typing_extensions import Unpack

from .body import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_BYTES, BodyReader
from .config import (
    PUBLIC_KEY_ID_PREFIX,
    ClientSettings,
    Credentials,
    KeySource,
    load_credentials,
    settings_from_env,
)
from .crypto import aes_gcm_decrypt, rsa_decrypt, rsa_encrypt
from .download import DigestCheck
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    MalformedPayloadError,
    RequestValidationError,
    SignatureVerificationError,
    UnknownSerialError,
    status_error_class,
)
from .operation import Operation
from .prepare import Prepared, prepare_v2, prepare_v3
from .response import RawResponse, Response, capturing, raw_result, record
from .secret import Secret, hidden, hide_settings
from .signing import KeyStore, authorization, lower_headers, new_nonce, verify
from .v2 import sign_matches

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
_CERTIFICATES = Operation("GET", "/v3/certificates")
_C = TypeVar("_C", bound="_ClientCore")
_T = TypeVar("_T")
_P = ParamSpec("_P")


def _ssl_verify(verify: bool | str) -> ssl.SSLContext | bool:
    return ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify


class _ClientCore:
    """Everything except IO; the sync and async bases only add the network calls."""

    USER_AGENT = f"wechatpay-python (httpx/{httpx.__version__}; Python/{platform.python_version()})"
    RETRY_BASE_DELAY = 0.5  # seconds; doubled per attempt, full jitter
    RETRY_MAX_DELAY = 8.0
    CERTIFICATE_REFRESH_INTERVAL = 60.0  # an unknown serial triggers at most one download per interval

    def __init__(
        self,
        *,
        mchid: str | None = None,
        appid: str | None = None,
        notify_url: str | None = None,
        merchant_serial_no: str | None = None,
        private_key: KeySource | Secret[KeySource] | None = None,
        wechatpay_public_key: KeySource | None = None,
        wechatpay_public_key_id: str | None = None,
        platform_certificates: KeySource | Iterable[KeySource] | None = None,
        apiv3_key: str | bytes | Secret[str] | Secret[bytes] | None = None,
        apiv2_key: str | Secret[str] | None = None,
        apiv2_rsa_public_key: KeySource | None = None,
        client_cert: KeySource | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = 10.0,
        max_retries: int = 2,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        verify: bool | str = True,
        strict_responses: bool = False,
        validate_request: bool = True,
        allow_short_apiv3_key_for_tests: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Keys are PEM text, PEM bytes or a file path; everything is checked here, not on first use.

        APIv3 needs `private_key` + `merchant_serial_no` and a way to verify answers: `wechatpay_public_key`
        + `wechatpay_public_key_id`, `platform_certificates`, and/or `apiv3_key` (certificates are then
        downloaded when needed). APIv2 needs `apiv2_key`; `client_cert` (apiclient_cert.pem, its key being
        `private_key`) for operations that require mTLS; `apiv2_rsa_public_key` (the PEM /risk/getpublickey
        returns) for the sensitive fields of APIv2 bank payments and risk queries. `verify` is True, False or a CA
        bundle path. `mchid`, `appid` and `notify_url` are filled into every call that leaves them out
        (`sp_mchid`/`mch_id` and `sp_appid` too, unless the page makes them either-or). `max_response_bytes` caps every answer and download once decompressed (64 MiB; a gzip bill's
        inflated content too): more raises `PayloadTooLargeError`.
        Answers are read leniently: a verified answer that disagrees with its page is returned all the same (the
        disagreements logged on the `wechatpay` logger and listed in the result's `doc_disagreements`);
        `strict_responses=True` raises `ResponseValidationError` instead. `validate_request=False` sends calls the
        docs forbid (a field they wrongly require, a value they do not list) without checking them first.
        `clock` and `allow_short_apiv3_key_for_tests` exist for tests. The secrets (`private_key`, `apiv3_key`,
        `apiv2_key`) may come wrapped in `Secret`; they are wrapped here at once either way, so that no repr,
        message or traceback's captured locals shows them.
        """
        private_key, apiv3_key, apiv2_key = _hidden(private_key), _hidden(apiv3_key), _hidden(apiv2_key)
        self._credentials: Credentials = load_credentials(
            mchid=mchid,
            merchant_serial_no=merchant_serial_no,
            private_key=private_key,
            wechatpay_public_key=wechatpay_public_key,
            wechatpay_public_key_id=wechatpay_public_key_id,
            platform_certificates=platform_certificates,
            apiv3_key=apiv3_key,
            apiv2_key=apiv2_key,
            apiv2_rsa_public_key=apiv2_rsa_public_key,
            client_cert=client_cert,
            allow_short_apiv3_key_for_tests=allow_short_apiv3_key_for_tests,
        )
        if max_retries < 0:
            raise ConfigurationError("max_retries: must be 0 or more")
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or max_response_bytes < 1:
            raise ConfigurationError("max_response_bytes: must be a positive number of bytes")
        if base_url is not None and not base_url.startswith(("https://", "http://")):
            raise ConfigurationError("base_url: must be an http(s) URL")
        self.mchid = self._credentials.mchid
        self.appid = appid  # with mchid and notify_url: filled into the calls that leave them out
        self.notify_url = notify_url
        self._own_base_url = base_url is not None  # the user's host then wins over the pages' own (tests, proxies)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_response_bytes = max_response_bytes
        self._verify = verify
        self.strict_responses = strict_responses
        self.validate_request = validate_request
        self._clock = clock
        self._keys = KeyStore()
        if self._credentials.wechatpay_public_key is not None and self._credentials.wechatpay_public_key_id:
            self._keys.add_public_key(self._credentials.wechatpay_public_key_id, self._credentials.wechatpay_public_key)
        self._keys.add_certificates(self._credentials.platform_certificates)
        self._last_refresh = -float("inf")
        self._refreshes = 0  # downloads done: a caller that waited for the lock sees whether one happened meanwhile

    @classmethod
    def from_env(cls: type[_C], environ: Mapping[str, str] | None = None, **overrides: Any) -> _C:
        """A client from WECHATPAY_MCHID, WECHATPAY_MERCHANT_SERIAL_NO, WECHATPAY_PRIVATE_KEY, WECHATPAY_PUBLIC_KEY,
        WECHATPAY_PUBLIC_KEY_ID, WECHATPAY_PLATFORM_CERTIFICATES, WECHATPAY_APIV3_KEY, WECHATPAY_APIV2_KEY,
        WECHATPAY_APIV2_RSA_PUBLIC_KEY, WECHATPAY_CLIENT_CERT, WECHATPAY_BASE_URL, WECHATPAY_TIMEOUT,
        WECHATPAY_MAX_RETRIES, WECHATPAY_MAX_RESPONSE_BYTES; keyword arguments win."""
        hide_settings(overrides)
        settings = settings_from_env(environ)
        settings.update(overrides)
        return cls(**settings)

    def __repr__(self) -> str:
        # getattr: a traceback capturing locals shows `self` while __init__ is still running
        serial = getattr(getattr(self, "_credentials", None), "merchant_serial_no", None)
        mchid, base_url = getattr(self, "mchid", None), getattr(self, "base_url", None)
        return f"<{type(self).__name__} mchid={mchid!r} serial_no={serial!r} base_url={base_url!r}>"

    def decrypt(self, ciphertext: str) -> str:
        """A sensitive response field (RSA-OAEP with the merchant private key)."""
        if self._credentials.private_key is None:
            raise ConfigurationError("private_key: required to decrypt sensitive fields")
        return rsa_decrypt(self._credentials.private_key, ciphertext)

    # -- the cashier's parameters -------------------------------------------------------------------------

    def jsapi_pay_params(self, *, prepay_id: str, appid: str | None = None) -> dict[str, str]:
        """What `WeixinJSBridge.invoke('getBrandWCPayRequest', …)` / `wx.requestPayment(…)` take after an APIv3
        JSAPI or mini-program order: `appId`, `timeStamp`, `nonceStr`, `package`, `signType` "RSA", `paySign`."""
        from .payment import jsapi_params

        return jsapi_params(self._signing_key(), self._appid(appid), prepay_id, int(self._clock()), new_nonce())

    def app_pay_params(self, *, prepay_id: str, appid: str | None = None) -> dict[str, str]:
        """What the APP SDK's `PayReq` takes after an APIv3 APP order: `appid`, `partnerid`, `prepayid`,
        `package` "Sign=WXPay", `noncestr`, `timestamp`, `sign`."""
        from .payment import app_params

        key, clock = self._signing_key(), int(self._clock())
        return app_params(key, self._appid(appid), self.mchid, prepay_id, clock, new_nonce())

    def jsapi_pay_params_v2(self, *, prepay_id: str, appid: str | None = None, sign_type: str = "MD5") -> dict[str, str]:
        """`jsapi_pay_params` for an APIv2 order: `paySign` by the APIv2 key (`sign_type` MD5 or HMAC-SHA256, as the
        order was placed)."""
        from .payment import jsapi_params_v2

        key, clock = self._v2_signing_key(sign_type), int(self._clock())
        return jsapi_params_v2(key, self._appid(appid), prepay_id, clock, new_nonce(), sign_type)

    def app_pay_params_v2(self, *, prepay_id: str, appid: str | None = None, sign_type: str = "MD5") -> dict[str, str]:
        """`app_pay_params` for an APIv2 order: `sign` by the APIv2 key."""
        from .payment import app_params_v2

        key, clock = self._v2_signing_key(sign_type), int(self._clock())
        return app_params_v2(key, self._appid(appid), self.mchid, prepay_id, clock, new_nonce(), sign_type)

    def _appid(self, appid: str | None) -> str:
        if not (appid or self.appid):
            raise ConfigurationError("appid: pass it, or give the client one")
        return str(appid or self.appid)

    def _signing_key(self) -> RSAPrivateKey:
        if self._credentials.private_key is None:
            raise ConfigurationError("private_key: required to sign the payment parameters")
        return self._credentials.private_key

    def _v2_signing_key(self, sign_type: str) -> Secret[str]:
        if self._credentials.apiv2_key is None:
            raise ConfigurationError("apiv2_key: required to sign APIv2 payment parameters")
        if sign_type not in ("MD5", "HMAC-SHA256"):
            raise ConfigurationError("sign_type: MD5 or HMAC-SHA256")
        return self._credentials.apiv2_key

    # -- preparing -------------------------------------------------------------------------------------

    def _needs_certificates(self, op: Operation) -> bool:
        """A sensitive field to encrypt, no key yet, and the means to download certificates."""
        return (
            op.api == "v3"
            and (bool(op.encrypted_fields) or op.serial_header)
            and self._keys.encryption_key() is None
            and self._credentials.apiv3_key is not None
        )

    def _prepare(
        self,
        op: Operation,
        path_params: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        body: Any,
        extra_headers: Mapping[str, str] | None,
    ) -> Prepared:
        op = self._routed(op)
        if op.api == "v2":
            if self._credentials.apiv2_key is None:
                raise ConfigurationError("apiv2_key: required for APIv2 operations")
            if body is not None and not isinstance(body, Mapping):
                raise RequestValidationError("an APIv2 body must be a dict")
            rsa_key = self._credentials.apiv2_rsa_public_key
            if op.encrypted_fields and rsa_key is None:
                raise ConfigurationError(
                    "apiv2_rsa_public_key: required for this operation's sensitive fields "
                    "(the key /risk/getpublickey returns)"
                )
            prepared = prepare_v2(
                op,
                self.base_url,
                path_params=path_params,
                query=query,
                body=body,
                apiv2_key=self._credentials.apiv2_key,
                headers=headers,
                encrypt=partial(rsa_encrypt, rsa_key) if rsa_key is not None else None,
            )
        else:
            if self._credentials.private_key is None:
                raise ConfigurationError("private_key: required for APIv3 operations")
            encryption = self._keys.encryption_key()
            key = encryption[1] if encryption else None
            prepared = prepare_v3(
                op,
                self.base_url,
                path_params=path_params,
                query=query,
                headers=headers,
                body=body,
                encrypt=partial(rsa_encrypt, key) if key is not None else None,
            )
            wants_key = op.encrypted_fields or op.serial_header
            serial = encryption[0] if wants_key and encryption else self._credentials.wechatpay_public_key_id
            if serial:
                prepared.headers.setdefault("Wechatpay-Serial", serial)
            if op.response_media != "application/json":  # a file, or nothing: JSON alone would be refused (406)
                prepared.headers.setdefault("Accept", "*/*")
        prepared.headers.update({k: str(v) for k, v in (extra_headers or {}).items()})
        return prepared

    def _routed(self, op: Operation) -> Operation:
        """A base_url given to the client (a test server, a proxy) wins over the page's host for the client's own
        traffic; the page's path prefix (`/hk/`) stays. A browser redirect keeps the page's host: the user's browser
        goes there, not this client."""
        if self._own_base_url and op.base_url and not op.redirect:
            return op._replace(base_url=self.base_url + httpx.URL(op.base_url).path.rstrip("/"))
        return op

    def _redirect_url(self, op: Operation, **call: Any) -> str:
        """The URL of a `redirect` operation from `_send`'s keyword arguments, signed as a call would be; sent to
        no one, so the timeout and extra headers go unused."""
        get = call.get
        prepared = self._prepare(op, get("path_params"), get("query"), get("headers"), get("body"), None)
        return str(httpx.URL(prepared.url, params=prepared.query)) + op.fragment

    def _prepare_download(self, url: str) -> Prepared:
        """Signed GET of a `download_url`; refused for another host, which would receive a usable signature."""
        target, base = httpx.URL(url), httpx.URL(self.base_url)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise RequestValidationError(f"download url must be on {self.base_url}")
        if self._credentials.private_key is None:
            raise ConfigurationError("private_key: required for downloads")
        return Prepared(method="GET", url=url, api="v3", headers={"Accept": "*/*"}, retry_safe=True)

    def _prepare_raw(
        self,
        method: str,
        path: str,
        json_body: Any,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        content: bytes | None,
    ) -> Prepared:
        if not path.startswith("/"):
            raise RequestValidationError("path must start with '/'")
        if json_body is not None and content is not None:
            raise RequestValidationError("pass json or content, not both")
        op = Operation(method.upper(), path, request_media="application/json" if json_body is not None else None)
        prepared = self._prepare(op, None, query, None, json_body, headers)
        if content is not None:
            prepared.content = prepared.signed_body = content
        return prepared

    def _build(self, http: httpx.Client | httpx.AsyncClient, prepared: Prepared, timeout: Any) -> httpx.Request:
        """A fresh request per attempt: v3 signs a new timestamp and nonce over the exact target and body."""
        headers = {
            "User-Agent": self.USER_AGENT,
            "Accept": "application/json" if prepared.api == "v3" else "*/*",
            "Accept-Encoding": ACCEPT_ENCODING,
            **prepared.headers,
        }
        request = http.build_request(
            prepared.method,
            prepared.url,
            params=prepared.query or None,
            content=prepared.content or None,
            headers=headers,
            timeout=self.timeout if timeout is None else timeout,
        )
        if prepared.api == "v3":
            credentials = self._credentials
            assert credentials.private_key is not None and credentials.merchant_serial_no is not None
            request.headers["Authorization"] = authorization(
                mchid=credentials.mchid,
                serial_no=credentials.merchant_serial_no,
                key=credentials.private_key,
                method=request.method,
                target=request.url.raw_path.decode("ascii"),
                body=prepared.signed_body,
                timestamp=int(self._clock()),
                nonce=new_nonce(),
            )
        return request

    # -- retries ---------------------------------------------------------------------------------------

    def _retry_delay(self, attempt: int, headers: httpx.Headers | None) -> float:
        retry_after = headers.get("Retry-After") if headers is not None else None
        if retry_after is not None and retry_after.isascii() and retry_after.isdigit():
            return min(float(retry_after), self.RETRY_MAX_DELAY)
        return random.uniform(0, min(self.RETRY_MAX_DELAY, self.RETRY_BASE_DELAY * 2**attempt))

    def _retry_status(self, prepared: Prepared, status_code: int, attempt: int) -> bool:
        return prepared.retry_safe and attempt < self.max_retries and (status_code == 429 or status_code >= 500)

    def _connection_error(
        self, prepared: Prepared, exc: httpx.TransportError, attempt: int
    ) -> APIConnectionError | None:
        """The error to raise, or None to retry. A failed connect sent nothing, so it is always safe to repeat."""
        never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
        if attempt < self.max_retries and (prepared.retry_safe or never_sent):
            logger.info("retrying %s %s after %s", prepared.method, httpx.URL(prepared.url).path, type(exc).__name__)
            return None
        return _typed_connection_error(exc)

    def _reader(self, raw: httpx.Response) -> BodyReader:
        """Decodes the answer within max_response_bytes (the runtime inflates it: httpx would do it unbounded)."""
        return BodyReader(raw.headers.get("Content-Encoding", ""), self.max_response_bytes)

    # -- reading responses -----------------------------------------------------------------------------

    def _may_refresh(self, headers: httpx.Headers) -> bool:
        """An answer to the client's own call names an unknown certificate: download, at most once per interval."""
        serial = headers.get("Wechatpay-Serial", "")
        return (
            self._credentials.apiv3_key is not None
            and not serial.startswith(PUBLIC_KEY_ID_PREFIX)
            and time.monotonic() - self._last_refresh >= self.CERTIFICATE_REFRESH_INTERVAL
        )

    def _require_apiv3_key(self) -> Secret[bytes]:
        if self._credentials.apiv3_key is None:
            raise ConfigurationError("apiv3_key: required to download platform certificates")
        return self._credentials.apiv3_key

    def _install_certificates(self, content: bytes) -> None:
        """Decrypt `/v3/certificates` entries; AES-GCM under the APIv3 key authenticates them."""
        from cryptography.x509 import load_pem_x509_certificate  # x509 is heavy: loaded in certificate mode only

        apiv3_key = self._require_apiv3_key()
        try:
            sealed = [entry["encrypt_certificate"] for entry in json.loads(content)["data"]]
            pems = [aes_gcm_decrypt(apiv3_key, s["nonce"], s["associated_data"], s["ciphertext"]) for s in sealed]
            certificates = [load_pem_x509_certificate(pem) for pem in pems]
        except (ValueError, KeyError, TypeError):
            raise MalformedPayloadError("unexpected /v3/certificates response") from None
        self._keys.add_certificates(certificates)

    def _interpret(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response:
        """Verify, then return the response or raise its typed error."""
        logger.debug("%s %s -> %s (Request-ID %s)", prepared.method, prepared.url, raw.status_code, raw.request_id)
        if prepared.api == "v2":
            return record(self._interpret_v2(prepared, raw, unsigned))
        success = 200 <= raw.status_code < 300
        if (success and not unsigned) or (not success and "Wechatpay-Signature" in raw.headers):
            verify(self._keys, lower_headers(dict(raw.headers)), raw.content, self._clock())
        if success:
            return record(raw)
        raise self._status_error(raw)

    def _status_error(self, raw: Response) -> APIStatusError:
        code = message = detail = None
        try:
            data = json.loads(raw.content)
        except ValueError:
            data = None
        if isinstance(data, dict):
            code, message, detail = data.get("code"), data.get("message"), data.get("detail")
        elif raw.content:
            message = raw.content[:200].decode("utf-8", "replace")
        return self._api_error(raw, code, message, detail, status_error_class(raw.status_code))

    def _interpret_v2(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response:
        """APIv2 errors arrive as HTTP 200 with return_code FAIL, often unsigned: raised as such, never returned.
        Any other XML answer must carry a `sign` that verifies, unless its docs show it unsigned (`unsigned`)."""
        if not 200 <= raw.status_code < 300:
            raise self._status_error(raw)
        if not prepared.xml_response and not raw.content.lstrip().startswith(b"<"):
            return raw  # a file (e.g. downloadbill)
        params = raw.xml()
        failure = _v2_failure(params)
        if failure is not None:
            raise self._api_error(raw, failure[0], failure[1], params)
        assert self._credentials.apiv2_key is not None
        sign_type = str(params.get("sign_type") or prepared.v2_sign_type)  # an answer naming its sign type is read by it
        if "sign" in params and not sign_matches(params, self._credentials.apiv2_key, sign_type):
            raise SignatureVerificationError("APIv2 response sign does not match")
        if "sign" not in params and not unsigned:
            raise SignatureVerificationError("APIv2 response carries no sign, and its docs do not mark it unsigned")
        if params.get("result_code") == "FAIL":  # genuine (verified), but the business call did not succeed
            raise self._api_error(raw, params.get("err_code") or "FAIL", params.get("err_code_des"), params)
        return raw

    @staticmethod
    def _api_error(
        raw: Response,
        code: str | None,
        message: str | None,
        detail: Any,
        error_class: type[APIStatusError] = APIStatusError,
    ) -> APIStatusError:
        return error_class(
            raw.status_code, code=code, message=message, detail=detail, request_id=raw.request_id, body=raw.content
        )

    # The notification helpers (XML, AES) are imported when first used: a client that only calls stays light.
    def _verify_notification(self, headers: Mapping[str, str], body: bytes) -> None:
        from .notifications import verify_notification

        verify_notification(self._keys, headers, body, self._clock())

    def _decrypt_notification(self, body: bytes) -> dict[str, Any]:
        if self._credentials.apiv3_key is None:
            raise ConfigurationError("apiv3_key: required to decrypt notifications")
        from .notifications import decrypt_notification

        return decrypt_notification(self._credentials.apiv3_key, body)

    def parse_v2_notification(self, body: bytes | str) -> dict[str, Any]:
        """A verified APIv2 XML notification (refund `req_info` decrypted to a dict)."""
        if self._credentials.apiv2_key is None:
            raise ConfigurationError("apiv2_key: required for APIv2 notifications")
        from .notifications import parse_v2_notification

        return parse_v2_notification(self._credentials.apiv2_key, body)

    def _mtls_context(self) -> ssl.SSLContext:
        if self._credentials.client_certificate is None:
            raise ConfigurationError(
                "client_cert: this operation needs the merchant API certificate (apiclient_cert.pem)"
            )
        return self._credentials.client_certificate.ssl_context(self._verify)


def _v2_failure(params: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """(code, message) of an APIv2 answer that reports a failure of the call itself. Most answers carry
    `return_code`; some families (appauth) carry `retcode`/`retmsg` instead: an answer is read by what it has."""
    if "return_code" in params:
        if params["return_code"] == "SUCCESS":
            return None
        return str(params["return_code"] or "FAIL"), params.get("return_msg")
    if "retcode" in params and str(params["retcode"]) != "0":
        return str(params["retcode"]), params.get("retmsg")
    return None


def _hidden(value: object) -> Secret[Any] | None:
    return None if value is None else hidden(value)


def _typed_connection_error(exc: httpx.TransportError) -> APIConnectionError:
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request timed out ({type(exc).__name__})")
    return APIConnectionError(f"connection failed ({type(exc).__name__})")


def _keep_streaming(raw: httpx.Response) -> httpx.Response:
    return raw


async def _keep_streaming_async(raw: httpx.Response) -> httpx.Response:
    return raw


def _decoded(raw: httpx.Response, reader: BodyReader) -> Iterator[bytes]:
    if raw.is_stream_consumed:
        yield reader.read_already(raw.content)
        return
    for chunk in raw.iter_raw():
        yield from reader.feed(chunk)


async def _adecoded(raw: httpx.Response, reader: BodyReader) -> AsyncIterator[bytes]:
    if raw.is_stream_consumed:
        yield reader.read_already(raw.content)
        return
    async for chunk in raw.aiter_raw():
        for piece in reader.feed(chunk):
            yield piece


def _part_path(to: str | os.PathLike[str]) -> tuple[Path, Path]:
    final = Path(to)
    return final, final.with_name(final.name + ".part")


class SyncClientBase(_ClientCore):
    """Base of the generated `Client`."""

    def __init__(self, *, http_client: httpx.Client | None = None, **settings: Unpack[ClientSettings]) -> None:
        hide_settings(cast("dict[str, Any]", settings))  # in place: this frame's `settings` shows in tracebacks
        super().__init__(**settings)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(verify=_ssl_verify(self._verify), timeout=self.timeout)
        self._mtls_http: httpx.Client | None = None
        self._refresh_lock = threading.Lock()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()
        if self._mtls_http is not None:
            self._mtls_http.close()

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _client_for(self, prepared: Prepared) -> httpx.Client:
        if not prepared.client_cert:
            return self._http
        if self._mtls_http is None:
            self._mtls_http = httpx.Client(verify=self._mtls_context(), timeout=self.timeout)
        return self._mtls_http

    def _attempt(self, prepared: Prepared, timeout: Any, take: Callable[[httpx.Response], _T]) -> _T:
        """Send until the answer is final, retrying what is safe to retry. `take` gets the answer still streaming,
        inside the same handling: a connection lost while reading the body is retried or typed as any other."""
        http = self._client_for(prepared)
        attempt = 0
        while True:
            try:
                raw = http.send(self._build(http, prepared, timeout), stream=True)
                if not self._retry_status(prepared, raw.status_code, attempt):
                    return take(raw)
                raw.close()
                delay = self._retry_delay(attempt, raw.headers)
            except httpx.TransportError as exc:
                error = self._connection_error(prepared, exc, attempt)
                if error is not None:
                    raise error from exc
                delay = self._retry_delay(attempt, None)
            time.sleep(delay)
            attempt += 1

    def _transmit(self, prepared: Prepared, timeout: Any) -> Response:
        return self._attempt(prepared, timeout, self._read)

    def _read(self, raw: httpx.Response) -> Response:
        """The whole answer, decoded within max_response_bytes."""
        try:
            content = b"".join(list(_decoded(raw, self._reader(raw))))
        finally:
            raw.close()
        return Response(raw.status_code, raw.headers, content)

    def _finish(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response:
        try:
            return self._interpret(prepared, raw, unsigned)
        except UnknownSerialError:
            if not self._may_refresh(raw.headers):
                raise
            self.refresh_certificates()
            return self._interpret(prepared, raw, unsigned)

    def refresh_certificates(self) -> None:
        """Download and install the platform certificates (`GET /v3/certificates`); needs apiv3_key. Threads that
        ask at once share one download."""
        self._require_apiv3_key()
        seen = self._refreshes
        with self._refresh_lock:
            if self._refreshes != seen:
                return
            self._last_refresh = time.monotonic()
            prepared = self._prepare(_CERTIFICATES, None, None, None, None, None)
            raw = self._transmit(prepared, None)
            if 200 <= raw.status_code < 300:
                self._install_certificates(raw.content)
            self._refreshes += 1
            self._interpret(prepared, raw, False)

    def _send(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Response:
        if self._needs_certificates(op):
            self.refresh_certificates()
        prepared = self._prepare(op, path_params, query, headers, body, extra_headers)
        return self._finish(prepared, self._transmit(prepared, timeout), op.unsigned_response)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Response:
        """Any APIv3 path: signed, and its response verified."""
        prepared = self._prepare_raw(method, path, json, query, headers, content)
        return self._finish(prepared, self._transmit(prepared, timeout), False)

    def with_raw_response(self, method: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> RawResponse[_T]:
        """Call `method` (any method of this client's tree) and return its HTTP answer beside its result:
        `client.with_raw_response(client.v3.pay.transactions.jsapi.post, appid=...)` -> `.status_code`,
        `.headers`, `.content`, `.parsed`. Works for methods returning bytes, None or a redirect URL too."""
        with capturing() as seen:
            parsed = method(*args, **kwargs)
        return raw_result(seen, parsed)

    def parse_notification(self, headers: Mapping[str, str], body: bytes | str) -> dict[str, Any]:
        """A verified v3 notification: the envelope with `resource` decrypted (the original in `resource_raw`).

        Never touches the network: anyone can post a notification, so one signed with a certificate this client
        does not hold raises `UnknownSerialError` instead of starting a download. The client downloads new
        certificates when its own calls meet them; `refresh_certificates()` does it at once."""
        from .notifications import as_bytes

        data = as_bytes(body)
        self._verify_notification(headers, data)
        return self._decrypt_notification(data)

    @overload
    def download(self, url: str, *, hash_type: str, hash_value: str, to: None = None) -> bytes: ...

    @overload
    def download(self, url: str, *, hash_type: str, hash_value: str, to: str | os.PathLike[str]) -> Path: ...

    def download(
        self, url: str, *, hash_type: str, hash_value: str, to: str | os.PathLike[str] | None = None
    ) -> bytes | Path:
        """Fetch a `download_url` (unsigned response), checking the announced digest.

        With `to`, the file is streamed to `<to>.part` and renamed only once the digest matches.
        """
        check = DigestCheck(hash_type, hash_value, self.max_response_bytes)
        prepared = self._prepare_download(url)
        raw = self._attempt(prepared, None, _keep_streaming)
        try:
            if not 200 <= raw.status_code < 300:
                self._finish(prepared, self._read(raw), True)  # raises the answer's typed error
            reader = self._reader(raw)
            if to is None:
                chunks = []
                for chunk in _decoded(raw, reader):
                    check.update(chunk)
                    chunks.append(chunk)
                check.check()
                content = b"".join(chunks)
                record(Response(raw.status_code, raw.headers, content))
                return content
            final, part = _part_path(to)
            try:
                with part.open("wb") as sink:
                    for chunk in _decoded(raw, reader):
                        check.update(chunk)
                        sink.write(chunk)
                check.check()
            except BaseException:
                part.unlink(missing_ok=True)
                raise
            part.replace(final)
            record(Response(raw.status_code, raw.headers, b""))  # the content is in the file
            return final
        except httpx.TransportError as exc:  # the connection broke while the file streamed in
            raise _typed_connection_error(exc) from exc
        finally:
            raw.close()


class AsyncClientBase(_ClientCore):
    """Base of the generated `AsyncClient`."""

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **settings: Unpack[ClientSettings]) -> None:
        hide_settings(cast("dict[str, Any]", settings))  # in place: this frame's `settings` shows in tracebacks
        super().__init__(**settings)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(verify=_ssl_verify(self._verify), timeout=self.timeout)
        self._mtls_http: httpx.AsyncClient | None = None
        import asyncio  # only the async client needs it

        self._refresh_lock = asyncio.Lock()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()
        if self._mtls_http is not None:
            await self._mtls_http.aclose()

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _client_for(self, prepared: Prepared) -> httpx.AsyncClient:
        if not prepared.client_cert:
            return self._http
        if self._mtls_http is None:
            self._mtls_http = httpx.AsyncClient(verify=self._mtls_context(), timeout=self.timeout)
        return self._mtls_http

    async def _attempt(
        self, prepared: Prepared, timeout: Any, take: Callable[[httpx.Response], Awaitable[_T]]
    ) -> _T:
        """Send until the answer is final, retrying what is safe to retry. `take` gets the answer still streaming,
        inside the same handling: a connection lost while reading the body is retried or typed as any other."""
        import asyncio  # only the async client needs it

        http = self._client_for(prepared)
        attempt = 0
        while True:
            try:
                raw = await http.send(self._build(http, prepared, timeout), stream=True)
                if not self._retry_status(prepared, raw.status_code, attempt):
                    return await take(raw)
                await raw.aclose()
                delay = self._retry_delay(attempt, raw.headers)
            except httpx.TransportError as exc:
                error = self._connection_error(prepared, exc, attempt)
                if error is not None:
                    raise error from exc
                delay = self._retry_delay(attempt, None)
            await asyncio.sleep(delay)
            attempt += 1

    async def _transmit(self, prepared: Prepared, timeout: Any) -> Response:
        return await self._attempt(prepared, timeout, self._read)

    async def _read(self, raw: httpx.Response) -> Response:
        """The whole answer, decoded within max_response_bytes."""
        try:
            content = b"".join([piece async for piece in _adecoded(raw, self._reader(raw))])
        finally:
            await raw.aclose()
        return Response(raw.status_code, raw.headers, content)

    async def _finish(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response:
        try:
            return self._interpret(prepared, raw, unsigned)
        except UnknownSerialError:
            if not self._may_refresh(raw.headers):
                raise
            await self.refresh_certificates()
            return self._interpret(prepared, raw, unsigned)

    async def refresh_certificates(self) -> None:
        """Download and install the platform certificates (`GET /v3/certificates`); needs apiv3_key."""
        self._require_apiv3_key()
        seen = self._refreshes
        async with self._refresh_lock:
            if self._refreshes != seen:
                return
            self._last_refresh = time.monotonic()
            prepared = self._prepare(_CERTIFICATES, None, None, None, None, None)
            raw = await self._transmit(prepared, None)
            if 200 <= raw.status_code < 300:
                self._install_certificates(raw.content)
            self._refreshes += 1
            self._interpret(prepared, raw, False)

    async def _send(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Response:
        if self._needs_certificates(op):
            await self.refresh_certificates()
        prepared = self._prepare(op, path_params, query, headers, body, extra_headers)
        return await self._finish(prepared, await self._transmit(prepared, timeout), op.unsigned_response)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Response:
        """Any APIv3 path: signed, and its response verified."""
        prepared = self._prepare_raw(method, path, json, query, headers, content)
        return await self._finish(prepared, await self._transmit(prepared, timeout), False)

    async def with_raw_response(
        self, method: Callable[_P, Awaitable[_T]], *args: _P.args, **kwargs: _P.kwargs
    ) -> RawResponse[_T]:
        """Await `method` (any method of this client's tree) and return its HTTP answer beside its result:
        `await client.with_raw_response(client.v3.pay.transactions.jsapi.post, appid=...)`."""
        with capturing() as seen:
            parsed = await method(*args, **kwargs)
        return raw_result(seen, parsed)

    async def parse_notification(self, headers: Mapping[str, str], body: bytes | str) -> dict[str, Any]:
        """A verified v3 notification: the envelope with `resource` decrypted (the original in `resource_raw`).

        Never touches the network: anyone can post a notification, so one signed with a certificate this client
        does not hold raises `UnknownSerialError` instead of starting a download. The client downloads new
        certificates when its own calls meet them; `refresh_certificates()` does it at once."""
        from .notifications import as_bytes

        data = as_bytes(body)
        self._verify_notification(headers, data)
        return self._decrypt_notification(data)

    @overload
    async def download(self, url: str, *, hash_type: str, hash_value: str, to: None = None) -> bytes: ...

    @overload
    async def download(self, url: str, *, hash_type: str, hash_value: str, to: str | os.PathLike[str]) -> Path: ...

    async def download(
        self, url: str, *, hash_type: str, hash_value: str, to: str | os.PathLike[str] | None = None
    ) -> bytes | Path:
        """Fetch a `download_url` (unsigned response), checking the announced digest.

        With `to`, the file is streamed to `<to>.part` and renamed only once the digest matches.
        """
        check = DigestCheck(hash_type, hash_value, self.max_response_bytes)
        prepared = self._prepare_download(url)
        raw = await self._attempt(prepared, None, _keep_streaming_async)
        try:
            if not 200 <= raw.status_code < 300:
                await self._finish(prepared, await self._read(raw), True)  # raises the answer's typed error
            reader = self._reader(raw)
            if to is None:
                chunks = []
                async for chunk in _adecoded(raw, reader):
                    check.update(chunk)
                    chunks.append(chunk)
                check.check()
                content = b"".join(chunks)
                record(Response(raw.status_code, raw.headers, content))
                return content
            final, part = _part_path(to)
            try:
                with part.open("wb") as sink:
                    async for chunk in _adecoded(raw, reader):
                        check.update(chunk)
                        sink.write(chunk)
                check.check()
            except BaseException:
                part.unlink(missing_ok=True)
                raise
            part.replace(final)
            record(Response(raw.status_code, raw.headers, b""))  # the content is in the file
            return final
        except httpx.TransportError as exc:  # the connection broke while the file streamed in
            raise _typed_connection_error(exc) from exc
        finally:
            await raw.aclose()


_S = TypeVar("_S", bound=SyncClientBase)
_A = TypeVar("_A", bound=AsyncClientBase)
