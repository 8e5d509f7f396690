"""What the sync and async clients share: their settings and keys, and every decision; they add only the I/O
(transport.py). The parts each do one job: `CallPreparer` (calls.py) makes requests, `RetryPolicy` (retry.py)
says when to try again, `CertificateDownloads` (certificates.py) when to fetch certificates, `AnswerReader`
(interpret.py) verifies answers and types their errors."""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from typing_extensions import Unpack

from .body import BodyReader
from .calls import CallPreparer
from .certificates import CERTIFICATES, CertificateDownloads, given_keys
from .config import Credentials, load_credentials
from .crypto import rsa_decrypt
from .download import DigestCheck, DownloadSink
from .errors import ConfigurationError, UnknownSerialError
from .hooks import current_hooks
from .interpret import AnswerReader
from .operation import Operation
from .prepare import Prepared
from .response import Response, record
from .retry import RetryPolicy
from .secret import Secret
from .settings import ClientSettings, check_settings, hide_settings, resolved, settings_from_env
from .signing import new_nonce

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

_C = TypeVar("_C", bound="ClientCore")


class ClientCore:
    """Everything except I/O; the sync and async bases only add the network calls, the waiting and the locks."""

    def __init__(self, **settings: Unpack[ClientSettings]) -> None:
        """Settings as `ClientSettings` declares them (secrets already wrapped by the twin); everything is checked
        here, not on first use."""
        values = resolved(settings)
        hooks = current_hooks()
        self._clock = hooks.clock
        self._credentials: Credentials = load_credentials(values, hooks.short_apiv3_key)
        check_settings(values)  # after the key material, whose problems are reported first
        self.mchid = self._credentials.mchid
        self.appid: str | None = values["appid"]  # with mchid and notify_url: filled into the calls that leave them out
        self.notify_url: str | None = values["notify_url"]
        self.timeout: float | httpx.Timeout = values["timeout"]
        self.max_response_bytes: int = values["max_response_bytes"]
        self.strict_responses: bool = values["strict_responses"]
        self.validate_request: bool = values["validate_request"]
        self._verify: bool | str = values["verify"]
        self._keys = given_keys(self._credentials)
        self._calls = CallPreparer(self._credentials, self._keys, values["base_url"], self._clock)
        self._retries = RetryPolicy(values["max_retries"])
        self._certificates = CertificateDownloads(self._keys, self._credentials.apiv3_key)
        self._answers = AnswerReader(self._keys, self._credentials.apiv2_key, self._clock)

    @classmethod
    def from_env(cls: type[_C], environ: Mapping[str, str] | None = None, **overrides: Any) -> _C:
        """A client from the environment: each setting from its variable (WECHATPAY_MCHID, WECHATPAY_PRIVATE_KEY,
        ...: `help()` names each setting's), those set and not empty; keyword arguments win."""
        hide_settings(overrides)
        settings = settings_from_env(environ)
        settings.update(overrides)
        return cls(**settings)

    @property
    def base_url(self) -> str:
        return self._calls.base_url

    @property
    def max_retries(self) -> int:
        return self._retries.max_retries

    @max_retries.setter
    def max_retries(self, count: int) -> None:
        self._retries = self._retries._replace(max_retries=count)

    def __repr__(self) -> str:
        # getattr: a traceback capturing locals shows `self` while __init__ is still running
        serial = getattr(getattr(self, "_credentials", None), "merchant_serial_no", None)
        mchid, calls = getattr(self, "mchid", None), getattr(self, "_calls", None)
        return f"<{type(self).__name__} mchid={mchid!r} serial_no={serial!r} base_url={getattr(calls, 'base_url', None)!r}>"

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

    def jsapi_pay_params_v2(
        self, *, prepay_id: str, appid: str | None = None, sign_type: str = "MD5"
    ) -> dict[str, str]:
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

    # -- what the twins' I/O is for ------------------------------------------------------------------------

    def _redirect_url(self, op: Operation, **call: Any) -> str:
        """A browser redirect's signed URL (the generated resources call it with `_send`'s arguments)."""
        return self._calls.redirect_url(op, **call)

    def _build(self, http: httpx.Client | httpx.AsyncClient, prepared: Prepared, timeout: Any) -> httpx.Request:
        """The request of one attempt, signed anew; the client's timeout unless the call has its own."""
        return self._calls.build(http, prepared, self.timeout if timeout is None else timeout)

    def _reader(self, raw: httpx.Response) -> BodyReader:
        """Decodes the answer within max_response_bytes (the runtime inflates it: httpx would do it unbounded)."""
        return BodyReader(raw.headers.get("Content-Encoding", ""), self.max_response_bytes)

    def _answer(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response | None:
        """The verified answer or its typed error; None when it names a certificate worth downloading first (the
        twin then refreshes and reads it again with `_answers.interpret`)."""
        try:
            return self._answers.interpret(prepared, raw, unsigned)
        except UnknownSerialError:
            if not self._certificates.may_refresh(raw.headers):
                raise
            return None

    def _certificates_request(self) -> Prepared:
        """The `GET /v3/certificates` a refresh sends; the time of the attempt noted, so that one answer naming
        an unknown serial does not start a download per call."""
        self._certificates.start()
        return self._calls.prepare(CERTIFICATES)

    def _install_certificates(self, prepared: Prepared, raw: Response) -> None:
        """Install what the download brought (the answer is signed by one of them), then check the answer."""
        self._certificates.install(raw.status_code, raw.content)
        self._answers.interpret(prepared, raw, False)

    def _download_request(
        self, url: str, hash_type: str, hash_value: str, to: str | os.PathLike[str] | None
    ) -> tuple[Prepared, DownloadSink]:
        """The signed GET of a `download_url`, and where its chunks go, checked against the announced digest."""
        return self._calls.download(url), DownloadSink(DigestCheck(hash_type, hash_value, self.max_response_bytes), to)

    @staticmethod
    def _downloaded(raw: httpx.Response, result: bytes | Path) -> bytes | Path:
        """A finished download's result, its answer recorded for `with_raw_response` (a file's content stays in the
        file)."""
        record(Response(raw.status_code, raw.headers, result if isinstance(result, bytes) else b""))
        return result

    # The notification helpers (XML, AES) are imported when first used: a client that only calls stays light.
    def _notification(self, headers: Mapping[str, str], body: bytes | str) -> dict[str, Any]:
        """A verified v3 notification: the envelope with `resource` decrypted (the original in `resource_raw`).
        Never touches the network: anyone can post a notification, so one signed with a certificate this client
        does not hold raises `UnknownSerialError` instead of starting a download."""
        from .notifications import as_bytes, decrypt_notification, verify_notification

        data = as_bytes(body)
        verify_notification(self._keys, headers, data, self._clock())
        if self._credentials.apiv3_key is None:
            raise ConfigurationError("apiv3_key: required to decrypt notifications")
        return decrypt_notification(self._credentials.apiv3_key, data)

    def parse_v2_notification(self, body: bytes | str) -> dict[str, Any]:
        """A verified APIv2 XML notification (refund `req_info` decrypted to a dict)."""
        if self._credentials.apiv2_key is None:
            raise ConfigurationError("apiv2_key: required for APIv2 notifications")
        from .notifications import parse_v2_notification

        return parse_v2_notification(self._credentials.apiv2_key, body)

    def _server_verification(self) -> ssl.SSLContext | bool:
        """httpx's `verify`: on or off, or a context trusting the CA bundle the `verify` setting names."""
        return ssl.create_default_context(cafile=self._verify) if isinstance(self._verify, str) else self._verify

    def _mtls_context(self) -> ssl.SSLContext:
        """The TLS context presenting the merchant API certificate, for operations that require it."""
        if self._credentials.client_certificate is None:
            raise ConfigurationError(
                "client_cert: this operation needs the merchant API certificate (apiclient_cert.pem)"
            )
        return self._credentials.client_certificate.ssl_context(self._verify)
