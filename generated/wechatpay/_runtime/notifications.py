"""Incoming notifications (webhooks): verify first, then decrypt; and the replies the service expects."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import v2
from .crypto import aes_gcm_decrypt
from .errors import MalformedPayloadError, PayloadTooLargeError, SignatureVerificationError
from .secret import Secret
from .signing import KeyStore, lower_headers, verify

# Real notifications are a few KiB; anything this large is refused before any parsing.
MAX_NOTIFICATION_BYTES = 1 << 20


def as_bytes(body: bytes | str) -> bytes:
    data = body.encode("utf-8") if isinstance(body, str) else body
    if len(data) > MAX_NOTIFICATION_BYTES:
        raise PayloadTooLargeError(f"notification body of {len(data)} bytes exceeds {MAX_NOTIFICATION_BYTES}")
    return data


def verify_notification(store: KeyStore, headers: Mapping[str, str], body: bytes, now: float) -> None:
    verify(store, lower_headers(headers), body, now)


def decrypt_notification(apiv3_key: Secret[bytes], body: bytes) -> dict[str, Any]:
    """The envelope of an already verified body, `resource` decrypted (the original kept as `resource_raw`)."""
    try:
        envelope = json.loads(body)
    except ValueError:
        raise MalformedPayloadError("notification body is not JSON") from None
    resource = envelope.get("resource") if isinstance(envelope, dict) else None
    if not isinstance(resource, dict) or not isinstance(resource.get("ciphertext"), str):
        raise MalformedPayloadError("notification has no encrypted resource")
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise MalformedPayloadError(f"unsupported resource algorithm {str(resource.get('algorithm'))[:32]!r}")
    plaintext = aes_gcm_decrypt(
        apiv3_key, str(resource.get("nonce", "")), str(resource.get("associated_data", "")), resource["ciphertext"]
    )
    try:
        decrypted = json.loads(plaintext)
    except ValueError:
        raise MalformedPayloadError("decrypted resource is not JSON") from None
    return {**envelope, "resource": decrypted, "resource_raw": resource}


def parse_v2_notification(apiv2_key: Secret[str], body: bytes | str) -> dict[str, Any]:
    """A verified APIv2 XML notification.

    Signed notifications (payments) are checked with `sign_type` when present, else MD5 or HMAC-SHA256.
    Refund notifications carry no `sign`: only their encrypted `req_info` is authenticated by the key,
    so only `{"req_info": {...decrypted...}}` is returned for them.
    """
    params = v2.parse_xml(as_bytes(body))
    if "sign" in params:
        sign_types = [params["sign_type"]] if "sign_type" in params else [v2.MD5, v2.HMAC_SHA256]
        if params.get("sign_type", v2.MD5) not in (v2.MD5, v2.HMAC_SHA256) or not any(
            v2.sign_matches(params, apiv2_key, sign_type) for sign_type in sign_types
        ):
            raise SignatureVerificationError("APIv2 notification sign does not match")
        result: dict[str, Any] = dict(params)
        if "req_info" in params:
            result["req_info"] = v2.decrypt_req_info(apiv2_key, params["req_info"])
        return result
    if "req_info" in params:
        return {"req_info": v2.decrypt_req_info(apiv2_key, params["req_info"])}
    raise SignatureVerificationError("APIv2 notification has neither sign nor req_info")


@dataclass(frozen=True)
class NotificationReply:
    """The HTTP answer to give the service for a v3 notification."""

    status_code: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


def notification_success() -> NotificationReply:
    return NotificationReply(200, '{"code":"SUCCESS","message":"成功"}'.encode())


def notification_failure(message: str = "失败", status_code: int = 500) -> NotificationReply:
    """A failure makes the service retry later; the status must be 4xx or 5xx."""
    if not 400 <= status_code <= 599:
        raise ValueError("a failure reply needs a 4xx or 5xx status")
    return NotificationReply(status_code, json.dumps({"code": "FAIL", "message": message}, ensure_ascii=False).encode())


def v2_notification_reply(success: bool = True, message: str = "OK") -> bytes:
    """`<xml><return_code><![CDATA[SUCCESS]]></return_code>...`, the form the APIv2 docs require."""
    safe = message.replace("]]>", "]]]]><![CDATA[>")
    code = "SUCCESS" if success else "FAIL"
    return (
        f"<xml><return_code><![CDATA[{code}]]></return_code><return_msg><![CDATA[{safe}]]></return_msg></xml>"
    ).encode()
