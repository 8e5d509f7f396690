"""Bill downloads: their integrity (the announced digest covers the bill, i.e. the content after gunzip), and where
their bytes go (memory, or a file that appears only once the digest matches)."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from types import TracebackType
from typing import IO

from typing_extensions import Self

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


class DownloadSink:
    """Where a download's chunks go, each checked on the way: kept in memory, or (with `to`) streamed to
    `<to>.part`, renamed to `to` once the digest matches and removed otherwise. `result` is the bytes or the path."""

    def __init__(self, check: DigestCheck, to: str | os.PathLike[str] | None) -> None:
        self._check = check
        self._final = None if to is None else Path(to)
        self._chunks: list[bytes] = []
        self._file: IO[bytes] | None = None
        self.result: bytes | Path = b""

    def __enter__(self) -> Self:
        if self._final is not None:
            self._file = self._part().open("wb")
        return self

    def write(self, chunk: bytes) -> None:
        self._check.update(chunk)
        if self._file is None:
            self._chunks.append(chunk)
        else:
            self._file.write(chunk)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._file is not None:
            self._file.close()
        if kind is not None:
            self._discard()
            return
        try:
            self._check.check()
        except DownloadIntegrityError:
            self._discard()
            raise
        self.result = b"".join(self._chunks) if self._final is None else self._part().replace(self._final)

    def _part(self) -> Path:
        assert self._final is not None
        return self._final.with_name(self._final.name + ".part")

    def _discard(self) -> None:
        if self._final is not None:
            self._part().unlink(missing_ok=True)
