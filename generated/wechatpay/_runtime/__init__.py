"""The hand-written runtime of the generated WeChat Pay SDK: signing, verification, encryption, transport."""

from typing import TYPE_CHECKING, Any

from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DecryptionError,
    DownloadIntegrityError,
    InternalServerError,
    MalformedPayloadError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
    SignatureVerificationError,
    TimestampOutOfWindowError,
    UnknownSerialError,
    UnsafeXMLError,
    WeChatPayError,
)
from .operation import Operation
from .response import RawResponse, Response
from .secret import Secret
from .calls import DEFAULT_BASE_URL
from .transport import AsyncClientBase, SyncClientBase

if TYPE_CHECKING:
    from .notifications import NotificationReply, notification_failure, notification_success, v2_notification_reply

_NOTIFICATIONS = frozenset(
    {"NotificationReply", "notification_failure", "notification_success", "v2_notification_reply"}
)


def __getattr__(name: str) -> Any:
    """The notification helpers, imported when first used (XML and AES): a client that only calls stays light."""
    if name in _NOTIFICATIONS:
        from . import notifications

        return getattr(notifications, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClientBase",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DecryptionError",
    "DownloadIntegrityError",
    "InternalServerError",
    "MalformedPayloadError",
    "NotFoundError",
    "NotificationReply",
    "Operation",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "RequestValidationError",
    "Response",
    "ResponseValidationError",
    "Secret",
    "SignatureVerificationError",
    "SyncClientBase",
    "TimestampOutOfWindowError",
    "UnknownSerialError",
    "UnsafeXMLError",
    "WeChatPayError",
    "notification_failure",
    "notification_success",
    "v2_notification_reply",
]
