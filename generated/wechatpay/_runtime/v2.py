"""APIv2: flat XML bodies signed with MD5 or HMAC-SHA256 over the sorted fields and the APIv2 key."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from .crypto import aes_ecb_decrypt
from .errors import DecryptionError, MalformedPayloadError, UnsafeXMLError
from .secret import Secret

MD5 = "MD5"
HMAC_SHA256 = "HMAC-SHA256"


def sign(params: Mapping[str, Any], key: Secret[str], sign_type: str = MD5) -> str:
    """Upper-case hex over `k1=v1&k2=v2...&key=KEY`: non-empty text fields except `sign`, keys in byte order
    (nested elements of an answer are not text and not signed)."""
    if sign_type not in (MD5, HMAC_SHA256):
        raise ValueError(f"unknown APIv2 sign_type {sign_type!r}")
    text_fields = sorted(name for name, value in params.items() if isinstance(value, str) and value and name != "sign")
    return _digest("&".join(f"{name}={params[name]}" for name in text_fields), key, sign_type)


def _digest(pairs: str, key: Secret[str], sign_type: str) -> str:
    """The key is revealed inside the expressions that hash it: no local of any frame holds it (or the text that
    ends with it), so a traceback that captures locals cannot show it."""
    if sign_type == HMAC_SHA256:
        return hmac.digest(key.reveal().encode(), f"{pairs}&key={key.reveal()}".encode(), "sha256").hex().upper()
    return hashlib.md5(f"{pairs}&key={key.reveal()}".encode()).hexdigest().upper()  # noqa: S324 - the protocol


def sign_matches(params: Mapping[str, Any], key: Secret[str], sign_type: str) -> bool:
    if sign_type not in (MD5, HMAC_SHA256):  # an answer naming another sign type cannot be verified
        return False
    received = str(params.get("sign", ""))
    return hmac.compare_digest(sign(params, key, sign_type).encode(), received.upper().encode())


def to_xml(params: Mapping[str, str]) -> bytes:
    """`<xml><k>v</k>...</xml>`; values escaped (not CDATA) so any text round-trips."""
    from xml.sax.saxutils import escape  # saxutils pulls in urllib.request: loaded for APIv2 calls only

    return ("<xml>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in params.items()) + "</xml>").encode()


def parse_xml(data: bytes) -> dict[str, Any]:
    """An APIv2 XML document as a dict (nested elements as dicts); DTDs and entities are refused (XXE, billion laughs)."""
    from xml.etree.ElementTree import ParseError  # the XML parsers load for APIv2 calls only

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXMLError("XML with a DTD or entity declaration refused") from exc
    except ParseError as exc:
        raise MalformedPayloadError(f"not well-formed XML: {exc}") from None
    return _children(root)


def _children(element: Any) -> dict[str, Any]:
    """Text for a leaf, a dict for an element with children (`<hblist><hbinfo>…</hbinfo></hblist>`); a tag that
    repeats gives the list of its values, in document order."""
    grouped: dict[str, list[Any]] = {}
    for child in element:
        grouped.setdefault(child.tag, []).append(_children(child) if len(child) else (child.text or ""))
    return {tag: values[0] if len(values) == 1 else values for tag, values in grouped.items()}


def refund_key(apiv2_key: Secret[str]) -> Secret[bytes]:
    """The refund notification's AES key: the lower-case hex MD5 of the APIv2 key (32 ASCII bytes)."""
    return Secret(hashlib.md5(apiv2_key.reveal().encode()).hexdigest().encode())  # noqa: S324 - the protocol


def decrypt_req_info(apiv2_key: Secret[str], req_info: str) -> dict[str, str]:
    """The refund notification's encrypted `req_info`, as a dict."""
    plaintext = aes_ecb_decrypt(refund_key(apiv2_key), req_info)
    try:
        return parse_xml(plaintext)
    except MalformedPayloadError:  # ECB is unauthenticated: a wrong key may still unpad, yielding noise
        raise DecryptionError("req_info did not decrypt to XML: wrong APIv2 key or corrupted data") from None
