"""A verified response, fully read; and the raw view of a call (`client.with_raw_response`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

import httpx

from .errors import MalformedPayloadError
from .v2 import parse_xml

T = TypeVar("T")


class Response:
    """What `_send` and `request` return: only ever built after the signature checked out."""

    def __init__(self, status_code: int, headers: httpx.Headers, content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers  # case-insensitive
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    @property
    def request_id(self) -> str | None:
        value: str | None = self.headers.get("Request-ID")
        return value

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise MalformedPayloadError(f"response body is not JSON ({len(self.content)} bytes)") from exc

    def xml(self) -> dict[str, Any]:
        return parse_xml(self.content)

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}] {len(self.content)} bytes>"


class RawResponse(Generic[T]):
    """A call's HTTP answer beside what the method returns: `status_code`, `headers`, `content`, `parsed`.

    A browser-redirect operation sends nothing: its raw response is the 302 the page documents, with the signed
    URL as `Location` (the same URL the method returns)."""

    def __init__(self, response: Response, parsed: T) -> None:
        self.response = response
        self.parsed = parsed

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers

    @property
    def content(self) -> bytes:
        return self.response.content

    @property
    def text(self) -> str:
        return self.response.text

    @property
    def request_id(self) -> str | None:
        return self.response.request_id

    def parse(self) -> T:
        """What the method itself returns (openai-python's spelling)."""
        return self.parsed

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {len(self.content)} bytes>"


# The responses of the calls made inside `capturing()`: a context variable, so threads and tasks stay apart.
_SEEN: ContextVar[list[Response] | None] = ContextVar("wechatpay_responses", default=None)


def record(response: Response) -> Response:
    seen = _SEEN.get()
    if seen is not None:
        seen.append(response)
    return response


@contextmanager
def capturing() -> Iterator[list[Response]]:
    seen: list[Response] = []
    token = _SEEN.set(seen)
    try:
        yield seen
    finally:
        _SEEN.reset(token)


def raw_result(seen: list[Response], parsed: T) -> RawResponse[T]:
    """The last response a call received (a redirect's is the 302 it stands for)."""
    if seen:
        return RawResponse(seen[-1], parsed)
    if isinstance(parsed, str):
        return RawResponse(Response(302, httpx.Headers({"Location": parsed}), b""), parsed)
    raise RuntimeError("with_raw_response: the callable made no call through this client")
