"""Answer bodies read within a size cap: the runtime decodes Content-Encoding itself, in bounded steps, so a
decompression bomb stops at the cap with a typed error before memory grows (httpx inflates a whole network
chunk at once: 64 KiB of gzip-in-gzip is gigabytes)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from .errors import MalformedPayloadError, PayloadTooLargeError

DEFAULT_MAX_RESPONSE_BYTES = 64 << 20  # a large merchant's daily bill fits; raise `max_response_bytes` for more
ACCEPT_ENCODING = "gzip, deflate"  # what BodyReader decodes: sent so that no other coding is offered
_STEP = 64 << 10  # the most one inflate call may produce
_GZIP_WBITS = zlib.MAX_WBITS | 16
_MAX_LAYERS = 3  # servers apply one coding; a long list only nests generators (and recursion) per layer
_ZLIB_METHOD = 8  # the low nibble of a zlib stream's first byte; raw deflate (what some servers send) lacks it


class _Inflater:
    """One compression layer (gzip, or deflate with or without its zlib wrapper), at most `_STEP` bytes a step.
    Data after the end of the stream is ignored, as httpx does."""

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._z: zlib._Decompress | None = None

    @property
    def eof(self) -> bool:
        return self._z is not None and self._z.eof

    def inflate(self, data: bytes) -> Iterator[bytes]:
        if self._z is None and data:
            self._z = zlib.decompressobj(self._wbits(data[0]))
        while self._z is not None and not self._z.eof:
            try:
                piece = self._z.decompress(data, _STEP)
            except zlib.error:
                raise MalformedPayloadError(f"the body does not decode as {self._coding}") from None
            data = self._z.unconsumed_tail
            if piece:
                yield piece
            if not data and len(piece) < _STEP:  # a full step may leave output pending in zlib: ask again
                return

    def _wbits(self, first_byte: int) -> int:
        if self._coding == "deflate":
            return zlib.MAX_WBITS if first_byte & 0x0F == _ZLIB_METHOD else -zlib.MAX_WBITS
        return _GZIP_WBITS


class BodyReader:
    """Fed an answer's raw chunks in order, yields its decoded body; raises PayloadTooLargeError as soon as the
    raw or the decoded bytes pass `limit`. Each layer of Content-Encoding holds at most one step in memory."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self._layers = [_Inflater(coding) for coding in reversed(_codings(content_encoding))]  # last applied first
        self._limit = limit
        self._raw = self._decoded = 0

    @property
    def complete(self) -> bool:
        """Every compressed layer reached its end (a truncated stream did not)."""
        return all(layer.eof for layer in self._layers)

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        self._raw += len(chunk)
        self._check(self._raw)
        for piece in self._through(0, chunk):
            self._decoded += len(piece)
            self._check(self._decoded)
            yield piece

    def read_already(self, content: bytes) -> bytes:
        """A body the transport read and httpx decoded before the runtime saw it (httpx.MockTransport answers):
        only its size is checked."""
        self._check(len(content))
        return content

    def _through(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._layers):
            yield data
            return
        for piece in self._layers[index].inflate(data):
            yield from self._through(index + 1, piece)

    def _check(self, size: int) -> None:
        if size > self._limit:
            raise PayloadTooLargeError(f"the answer exceeds max_response_bytes ({self._limit} bytes)")


def _codings(content_encoding: str) -> list[str]:
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip().lower() not in ("", "identity")]
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            accepted = f"the client accepts {ACCEPT_ENCODING}"
            raise MalformedPayloadError(f"unsupported Content-Encoding {coding[:32]!r} ({accepted})")
    if len(codings) > _MAX_LAYERS:
        raise MalformedPayloadError(f"Content-Encoding applies {len(codings)} codings (at most {_MAX_LAYERS} are read)")
    return codings
