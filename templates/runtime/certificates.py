"""The platform certificates a client downloads (`GET /v3/certificates`): when a download is due, and installing
what it brings. The sync and async clients do the download itself, under their lock."""

from __future__ import annotations

import json
import time

import httpx

from .config import PUBLIC_KEY_ID_PREFIX, Credentials
from .crypto import aes_gcm_decrypt
from .errors import ConfigurationError, MalformedPayloadError
from .operation import Operation
from .secret import Secret
from .signing import KeyStore

CERTIFICATES = Operation("GET", "/v3/certificates")


def given_keys(credentials: Credentials) -> KeyStore:
    """The store of the keys that verify answers, holding those the settings give: the WeChat Pay public key and
    the platform certificates (downloads add more)."""
    keys = KeyStore()
    if credentials.wechatpay_public_key is not None and credentials.wechatpay_public_key_id:
        keys.add_public_key(credentials.wechatpay_public_key_id, credentials.wechatpay_public_key)
    keys.add_certificates(credentials.platform_certificates)
    return keys


class CertificateDownloads:
    """Decides when a client downloads platform certificates into its key store, and installs them."""

    interval = 60.0  # seconds: an unknown serial triggers at most one download per interval

    def __init__(self, keys: KeyStore, apiv3_key: Secret[bytes] | None) -> None:
        self._keys = keys
        self._apiv3_key = apiv3_key
        self._last_started = -float("inf")
        self.finished = 0  # downloads done: a caller that waited for the lock sees whether one happened meanwhile

    def needed_for(self, op: Operation) -> bool:
        """A sensitive field to encrypt, no key yet, and the means to download certificates."""
        wants_key = bool(op.encrypted_fields) or op.serial_header
        return op.api == "v3" and wants_key and self._keys.encryption_key() is None and self._apiv3_key is not None

    def may_refresh(self, headers: httpx.Headers) -> bool:
        """An answer to the client's own call names an unknown certificate: download, at most once per interval."""
        serial = headers.get("Wechatpay-Serial", "")
        return (
            self._apiv3_key is not None
            and not serial.startswith(PUBLIC_KEY_ID_PREFIX)
            and time.monotonic() - self._last_started >= self.interval
        )

    def require_key(self) -> Secret[bytes]:
        if self._apiv3_key is None:
            raise ConfigurationError("apiv3_key: required to download platform certificates")
        return self._apiv3_key

    def start(self) -> None:
        self._last_started = time.monotonic()

    def install(self, status_code: int, content: bytes) -> None:
        """Decrypt a successful answer's entries (AES-GCM under the APIv3 key authenticates them) into the store."""
        self.finished += 1
        if not 200 <= status_code < 300:
            return
        from cryptography.x509 import load_pem_x509_certificate  # x509 is heavy: loaded in certificate mode only

        apiv3_key = self.require_key()
        try:
            sealed = [entry["encrypt_certificate"] for entry in json.loads(content)["data"]]
            pems = [aes_gcm_decrypt(apiv3_key, s["nonce"], s["associated_data"], s["ciphertext"]) for s in sealed]
            certificates = [load_pem_x509_certificate(pem) for pem in pems]
        except (ValueError, KeyError, TypeError):
            raise MalformedPayloadError("unexpected /v3/certificates response") from None
        self._keys.add_certificates(certificates)
