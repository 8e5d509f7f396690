"""Integrity of bill downloads: the announced digest covers the bill, i.e. the content after gunzip."""

from __future__ import annotations

import hashlib
import hmac

from .body import BodyReader
from .errors import DownloadIntegrityError, MalformedPayloadError, PayloadTooLargeError, RequestValidationError

_GZIP_MAGIC = b"\x1f\x8b"
_ALGORITHMS = {"SHA1": "sha1", "SHA256": "sha256"}


class DigestCheck:
    """Fed the downloaded chunks in order; detects GZIP by its magic bytes and hashes the inflated bill, whose size
    is capped at `limit` (a bill that is a gzip bomb stops there with PayloadTooLargeError)."""

    def __init__(self, hash_type: str, hash_value: str, limit: int) -> None:
        algorithm = _ALGORITHMS.get(hash_type.upper().replace("-", ""))
        if algorithm is None:
            raise RequestValidationError(f"hash_type {hash_type!r} is not supported (SHA1, SHA256)")
        self._digest = hashlib.new(algorithm)
        self._expected = hash_value.strip().lower()
        self._limit = limit
        self._inflater: BodyReader | None = None
        self._started = False

    def update(self, chunk: bytes) -> None:
        if not self._started and chunk:
            self._started = True
            if chunk.startswith(_GZIP_MAGIC):
                self._inflater = BodyReader("gzip", self._limit)
        if self._inflater is None:
            self._digest.update(chunk)
            return
        try:
            for piece in self._inflater.feed(chunk):
                self._digest.update(piece)
        except PayloadTooLargeError:
            raise
        except MalformedPayloadError:
            raise DownloadIntegrityError("downloaded GZIP data is corrupt") from None

    def check(self) -> None:
        if self._inflater is not None and not self._inflater.complete:
            raise DownloadIntegrityError("downloaded GZIP data is truncated")
        actual = self._digest.hexdigest()
        if not hmac.compare_digest(actual, self._expected):
            raise DownloadIntegrityError(
                f"downloaded file digest {actual} does not match the announced {self._expected[:64]}"
            )
