"""Integrity of bill downloads: the announced digest covers the bill, i.e. the content after gunzip."""

from __future__ import annotations

import hashlib
import hmac
import zlib

from .errors import DownloadIntegrityError, RequestValidationError

_GZIP_MAGIC = b"\x1f\x8b"
_ALGORITHMS = {"SHA1": "sha1", "SHA256": "sha256"}


class DigestCheck:
    """Fed the downloaded chunks in order; detects GZIP by its magic bytes and hashes the inflated bill."""

    def __init__(self, hash_type: str, hash_value: str) -> None:
        algorithm = _ALGORITHMS.get(hash_type.upper().replace("-", ""))
        if algorithm is None:
            raise RequestValidationError(f"hash_type {hash_type!r} is not supported (SHA1, SHA256)")
        self._digest = hashlib.new(algorithm)
        self._expected = hash_value.strip().lower()
        self._inflater: zlib._Decompress | None = None
        self._started = False

    def update(self, chunk: bytes) -> None:
        if not self._started and chunk:
            self._started = True
            if chunk.startswith(_GZIP_MAGIC):
                self._inflater = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
        if self._inflater is None:
            self._digest.update(chunk)
            return
        try:
            self._digest.update(self._inflater.decompress(chunk))
        except zlib.error:
            raise DownloadIntegrityError("downloaded GZIP data is corrupt") from None

    def check(self) -> None:
        if self._inflater is not None:
            if not self._inflater.eof:
                raise DownloadIntegrityError("downloaded GZIP data is truncated")
            self._digest.update(self._inflater.flush())
        actual = self._digest.hexdigest()
        if not hmac.compare_digest(actual, self._expected):
            raise DownloadIntegrityError(
                f"downloaded file digest {actual} does not match the announced {self._expected[:64]}"
            )
