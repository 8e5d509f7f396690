"""A verified response, fully read."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .errors import MalformedPayloadError
from .v2 import parse_xml


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

    def xml(self) -> dict[str, str]:
        return parse_xml(self.content)

    def __repr__(self) -> str:
        return f"<Response [{self.status_code}] {len(self.content)} bytes>"
