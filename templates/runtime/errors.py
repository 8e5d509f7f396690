"""Typed errors. Messages never carry key material or the plaintext of a sensitive field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from .response import Response


class WeChatPayError(Exception):
    """Base of every error the SDK raises."""


class ConfigurationError(WeChatPayError, ValueError):
    """A setting is missing, malformed or inconsistent; the message names the setting."""


class RequestValidationError(WeChatPayError, ValueError):
    """The call's arguments cannot form a valid request (missing path parameter, bad field type...)."""


class APIConnectionError(WeChatPayError):
    """The service could not be reached, or the connection broke before a response arrived."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class SignatureVerificationError(WeChatPayError):
    """A response or notification is not proven to come from WeChat Pay; its data must not be used."""


class UnknownSerialError(SignatureVerificationError):
    """Signed with a key (Wechatpay-Serial) this client does not know, even after refreshing certificates."""


class TimestampOutOfWindowError(SignatureVerificationError):
    """Wechatpay-Timestamp differs from the local clock by 300 s or more (a replay, or a skewed clock)."""


class DecryptionError(WeChatPayError):
    """A ciphertext could not be decrypted or authenticated (wrong key, tampered data)."""


class MalformedPayloadError(WeChatPayError, ValueError):
    """A body is not the JSON/XML it must be, or lacks a required part."""


class PayloadTooLargeError(MalformedPayloadError):
    """A notification body exceeds the size limit."""


class UnsafeXMLError(MalformedPayloadError):
    """XML with a DTD, entity declaration or external reference: refused."""


class ResponseValidationError(MalformedPayloadError):
    """A verified response or notification does not fit its documented model. The message names the fields,
    never their values; `response` is the response it came in (None for a notification), to read as sent."""

    def __init__(self, message: str, response: Response | None = None) -> None:
        super().__init__(message)
        self.response = response
        self.notification: Any = None  # a notification's decrypted data: verified, so the merchant can still act on it


class DownloadIntegrityError(WeChatPayError):
    """A downloaded file does not match the digest the service announced."""


class APIStatusError(WeChatPayError):
    """The service answered with an error: a non-2xx status; or APIv2's `return_code` FAIL, or its signed
    `result_code` FAIL (a business failure: `code` is the `err_code`, such as USERPAYING or ORDERNOTEXIST)."""

    def __init__(
        self,
        status_code: int,
        *,
        code: str | None,
        message: str | None,
        detail: Any = None,
        request_id: str | None = None,
        body: bytes = b"",
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.detail = detail
        self.request_id = request_id
        self.body = body
        super().__init__(self._summary())

    def _summary(self) -> str:
        text = f"HTTP {self.status_code}"
        if self.code:
            text += f" {self.code}"
        if self.message:
            text += f": {self.message}"
        if self.request_id:
            text += f" (Request-ID {self.request_id})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._summary()!r})"


class BadRequestError(APIStatusError):
    """HTTP 400."""


class AuthenticationError(APIStatusError):
    """HTTP 401: usually a signature the service refused (SIGN_ERROR)."""


class PermissionDeniedError(APIStatusError):
    """HTTP 403."""


class NotFoundError(APIStatusError):
    """HTTP 404."""


class ConflictError(APIStatusError):
    """HTTP 409."""


class RateLimitError(APIStatusError):
    """HTTP 429."""


class InternalServerError(APIStatusError):
    """HTTP 5xx."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The most specific error class for an HTTP status."""
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)


def connection_error(exc: httpx.TransportError) -> APIConnectionError:
    """The typed error of a failed exchange (the cause's type named, never its text, which may hold the URL)."""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request timed out ({type(exc).__name__})")
    return APIConnectionError(f"connection failed ({type(exc).__name__})")
