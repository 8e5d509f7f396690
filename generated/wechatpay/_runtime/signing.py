"""APIv3 request signing and response/notification signature verification."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from .config import certificate_serial, normalize_serial
from .crypto import rsa_sign, rsa_verify
from .errors import SignatureVerificationError, TimestampOutOfWindowError, UnknownSerialError

if TYPE_CHECKING:  # x509 is heavy: loaded when certificates are given
    from cryptography import x509

SCHEME = "WECHATPAY2-SHA256-RSA2048"
MAX_CLOCK_SKEW = 300  # seconds; the service's own replay window
_PROBE_PREFIX = "WECHATPAY/SIGNTEST/"
_MAX_TIMESTAMP_DIGITS = 12  # seconds until the year 33658


def new_nonce() -> str:
    return secrets.token_hex(16).upper()


def authorization(
    *,
    mchid: str,
    serial_no: str,
    key: RSAPrivateKey,
    method: str,
    target: str,
    body: bytes,
    timestamp: int,
    nonce: str,
) -> str:
    """The Authorization header over `METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n`.

    `target` and `body` must be exactly what goes on the wire (for uploads, `body` is the meta JSON).
    """
    message = f"{method}\n{target}\n{timestamp}\n{nonce}\n".encode() + body + b"\n"
    signature = rsa_sign(key, message)
    return (
        f'{SCHEME} mchid="{mchid}",nonce_str="{nonce}",timestamp="{timestamp}",'
        f'serial_no="{serial_no}",signature="{signature}"'
    )


class KeyStore:
    """WeChat Pay's verification keys by Wechatpay-Serial: platform certificates and/or a public key.

    Both may be present at once while a merchant migrates from certificates to the public key.
    """

    def __init__(self) -> None:
        self._keys: dict[str, RSAPublicKey] = {}
        self._public_key_id: str | None = None
        self._certificates: dict[str, x509.Certificate] = {}

    def add_public_key(self, key_id: str, key: RSAPublicKey) -> None:
        self._keys[key_id] = key
        self._public_key_id = key_id

    def add_certificates(self, certificates: Iterable[x509.Certificate]) -> None:
        for certificate in certificates:
            serial = certificate_serial(certificate)
            self._certificates[serial] = certificate
            key = certificate.public_key()
            if isinstance(key, RSAPublicKey):
                self._keys[serial] = key

    def get(self, serial: str) -> RSAPublicKey | None:
        return self._keys.get(normalize_serial(serial))

    def encryption_key(self) -> tuple[str, RSAPublicKey] | None:
        """The key for sensitive fields: the public key if configured, else the newest valid certificate."""
        if self._public_key_id is not None:
            return self._public_key_id, self._keys[self._public_key_id]
        now = datetime.now(timezone.utc)
        valid = [c for c in self._certificates.values() if c.not_valid_before_utc <= now < c.not_valid_after_utc]
        if not valid:
            return None
        newest = max(valid, key=lambda c: c.not_valid_before_utc)
        return certificate_serial(newest), self._keys[certificate_serial(newest)]


def lower_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """Header lookups must not depend on the caller's casing, nor on its framework: Django's `request.META` spells
    `Wechatpay-Signature` as `HTTP_WECHATPAY_SIGNATURE` (a CGI variable); Werkzeug, Starlette and plain dicts
    use the header's own name."""
    lowered = {}
    for name, value in headers.items():
        if not isinstance(name, str):
            continue
        if name.startswith("HTTP_"):  # a CGI/WSGI environ variable: the header it carries
            name = name[5:].replace("_", "-")
        lowered[name.lower()] = value
    return lowered


def _unix_time(text: str) -> int:
    """Wechatpay-Timestamp as a number; anything else is a failed verification, never a bare ValueError."""
    # isdigit alone accepts "²"; the length bound keeps int() from its 4,300-digit ValueError (and its cost)
    if not (text.isascii() and text.isdigit() and len(text) <= _MAX_TIMESTAMP_DIGITS):
        raise SignatureVerificationError("Wechatpay-Timestamp is not a Unix timestamp")
    return int(text)


def verify(store: KeyStore, headers: Mapping[str, str], body: bytes, now: float) -> None:
    """Check `TIMESTAMP\\nNONCE\\nBODY\\n` against Wechatpay-Signature, or raise.

    `headers` must have lower-case names (see `lower_headers`).
    """
    timestamp = headers.get("wechatpay-timestamp")
    nonce = headers.get("wechatpay-nonce")
    signature = headers.get("wechatpay-signature")
    serial = headers.get("wechatpay-serial")
    if not (timestamp and nonce and signature and serial):
        raise SignatureVerificationError("missing Wechatpay-Timestamp/Nonce/Signature/Serial headers")
    if not all(isinstance(value, str) for value in (timestamp, nonce, signature, serial)):
        raise SignatureVerificationError("Wechatpay-Timestamp/Nonce/Signature/Serial headers must be text")
    skew = abs(int(now) - _unix_time(timestamp))  # whole seconds, as the service counts
    if skew >= MAX_CLOCK_SKEW:
        raise TimestampOutOfWindowError(f"Wechatpay-Timestamp is {skew} s from the local clock (limit 300 s)")
    if signature.startswith(_PROBE_PREFIX):
        raise SignatureVerificationError("probe signature (WECHATPAY/SIGNTEST): this message is not from WeChat Pay")
    key = store.get(serial)
    if key is None:
        raise UnknownSerialError(
            f"Wechatpay-Serial {serial[:64]!r} is not a known platform certificate or public key id"
        )
    # "replace": a nonce no service could send (a lone surrogate) fails to verify rather than to encode
    message = f"{timestamp}\n{nonce}\n".encode("utf-8", "replace") + body + b"\n"
    if not rsa_verify(key, message, signature):
        raise SignatureVerificationError(f"Wechatpay-Signature does not match the body (serial {serial[:64]})")
