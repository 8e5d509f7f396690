"""The sync and async clients: the I/O twins of `ClientCore`. They send, read, wait and lock; what to send, whether
to try again and what an answer means are the core's decisions, the same for both."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast, overload

import httpx
from typing_extensions import ParamSpec, Self, Unpack

from .body import BodyReader
from .client import ClientCore
from .errors import connection_error
from .operation import Operation
from .prepare import Prepared
from .response import RawResponse, Response, capturing, raw_result
from .settings import ClientSettings, SettingsSignature, hide_settings

_T = TypeVar("_T")
_P = ParamSpec("_P")


class SyncClientBase(ClientCore):
    """Base of the generated `Client`."""

    __signature__ = SettingsSignature()  # `help()` and `inspect` show each setting, not `**settings`

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        mtls_http_client: httpx.Client | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        hide_settings(cast("dict[str, Any]", settings))  # in place: this frame's `settings` shows in tracebacks
        super().__init__(**settings)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(verify=self._server_verification(), timeout=self.timeout)
        self._owns_mtls_http = mtls_http_client is None
        self._mtls_http: httpx.Client | None = mtls_http_client
        self._refresh_lock = threading.Lock()

    def close(self) -> None:
        if self._owns_http:
            self._http.close()
        if self._mtls_http is not None and self._owns_mtls_http:
            self._mtls_http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _client_for(self, prepared: Prepared) -> httpx.Client:
        if not prepared.client_cert:
            return self._http
        if self._mtls_http is None:
            self._mtls_http = httpx.Client(verify=self._mtls_context(), timeout=self.timeout)
        return self._mtls_http

    def _attempt(self, prepared: Prepared, timeout: Any, take: Callable[[httpx.Response], _T]) -> _T:
        """Send until the answer is final, waiting as the retry policy says. `take` gets the answer still streaming,
        inside the same handling: a connection lost while reading the body is retried or typed as any other."""
        http = self._client_for(prepared)
        attempt = 0
        while True:
            try:
                raw = http.send(self._build(http, prepared, timeout), stream=True)
                delay = self._retries.delay_after_answer(prepared, raw.status_code, raw.headers, attempt)
                if delay is None:
                    return take(raw)
                raw.close()
            except httpx.TransportError as exc:
                delay = self._retries.delay_after_failure(prepared, exc, attempt)
            time.sleep(delay)
            attempt += 1

    def _transmit(self, prepared: Prepared, timeout: Any) -> Response:
        return self._attempt(prepared, timeout, self._read)

    def _read(self, raw: httpx.Response) -> Response:
        """The whole answer, decoded within max_response_bytes."""
        try:
            content = b"".join(list(_decoded(raw, self._reader(raw))))
        finally:
            raw.close()
        return Response(raw.status_code, raw.headers, content)

    def _finish(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response:
        answer = self._answer(prepared, raw, unsigned)
        if answer is None:
            self.refresh_certificates()
            answer = self._answers.interpret(prepared, raw, unsigned)
        return answer

    def refresh_certificates(self) -> None:
        """Download and install the platform certificates (`GET /v3/certificates`); needs apiv3_key. Threads that
        ask at once share one download."""
        self._certificates.require_key()
        seen = self._certificates.finished
        with self._refresh_lock:
            if self._certificates.finished == seen:
                prepared = self._certificates_request()
                self._install_certificates(prepared, self._transmit(prepared, None))

    def _send(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Response:
        if self._certificates.needed_for(op):
            self.refresh_certificates()
        prepared = self._calls.prepare(op, path_params, query, headers, body, extra_headers)
        return self._finish(prepared, self._transmit(prepared, timeout), op.unsigned_response)

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Response:
        """Any APIv3 path: signed, and its response verified."""
        prepared = self._calls.raw(method, path, json, query, headers, content)
        return self._finish(prepared, self._transmit(prepared, timeout), False)

    def with_raw_response(self, method: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> RawResponse[_T]:
        """Call `method` (any method of this client's tree) and return its HTTP answer beside its result:
        `client.with_raw_response(client.v3.pay.transactions.jsapi.post, appid=...)` -> `.status_code`,
        `.headers`, `.content`, `.parsed`. Works for methods returning bytes, None or a redirect URL too."""
        with capturing() as seen:
            parsed = method(*args, **kwargs)
        return raw_result(seen, parsed)

    def parse_notification(self, headers: Mapping[str, str], body: bytes | str) -> dict[str, Any]:
        """A verified v3 notification: the envelope with `resource` decrypted (the original in `resource_raw`).

        Never touches the network: anyone can post a notification, so one signed with a certificate this client
        does not hold raises `UnknownSerialError` instead of starting a download. The client downloads new
        certificates when its own calls meet them; `refresh_certificates()` does it at once."""
        return self._notification(headers, body)

    @overload
    def download(self, url: str, *, hash_type: str, hash_value: str, to: None = None) -> bytes: ...

    @overload
    def download(self, url: str, *, hash_type: str, hash_value: str, to: str | os.PathLike[str]) -> Path: ...

    def download(
        self, url: str, *, hash_type: str, hash_value: str, to: str | os.PathLike[str] | None = None
    ) -> bytes | Path:
        """Fetch a `download_url` (unsigned response), checking the announced digest.

        With `to`, the file is streamed to `<to>.part` and renamed only once the digest matches.
        """
        prepared, sink = self._download_request(url, hash_type, hash_value, to)
        raw = self._attempt(prepared, None, _keep_streaming)
        try:
            if not 200 <= raw.status_code < 300:
                self._finish(prepared, self._read(raw), True)  # raises the answer's typed error
            with sink:
                for chunk in _decoded(raw, self._reader(raw)):
                    sink.write(chunk)
            return self._downloaded(raw, sink.result)
        except httpx.TransportError as exc:  # the connection broke while the file streamed in
            raise connection_error(exc) from exc
        finally:
            raw.close()


class AsyncClientBase(ClientCore):
    """Base of the generated `AsyncClient`."""

    __signature__ = SettingsSignature()  # `help()` and `inspect` show each setting, not `**settings`

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None = None,
        mtls_http_client: httpx.AsyncClient | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        hide_settings(cast("dict[str, Any]", settings))  # in place: this frame's `settings` shows in tracebacks
        super().__init__(**settings)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(verify=self._server_verification(), timeout=self.timeout)
        self._owns_mtls_http = mtls_http_client is None
        self._mtls_http: httpx.AsyncClient | None = mtls_http_client
        import asyncio  # only the async client needs it

        self._refresh_lock = asyncio.Lock()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()
        if self._mtls_http is not None and self._owns_mtls_http:
            await self._mtls_http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _client_for(self, prepared: Prepared) -> httpx.AsyncClient:
        if not prepared.client_cert:
            return self._http
        if self._mtls_http is None:
            self._mtls_http = httpx.AsyncClient(verify=self._mtls_context(), timeout=self.timeout)
        return self._mtls_http

    async def _attempt(self, prepared: Prepared, timeout: Any, take: Callable[[httpx.Response], Awaitable[_T]]) -> _T:
        """Send until the answer is final, waiting as the retry policy says. `take` gets the answer still streaming,
        inside the same handling: a connection lost while reading the body is retried or typed as any other."""
        import asyncio  # only the async client needs it

        http = self._client_for(prepared)
        attempt = 0
        while True:
            try:
                raw = await http.send(self._build(http, prepared, timeout), stream=True)
                delay = self._retries.delay_after_answer(prepared, raw.status_code, raw.headers, attempt)
                if delay is None:
                    return await take(raw)
                await raw.aclose()
            except httpx.TransportError as exc:
                delay = self._retries.delay_after_failure(prepared, exc, attempt)
            await asyncio.sleep(delay)
            attempt += 1

    async def _transmit(self, prepared: Prepared, timeout: Any) -> Response:
        return await self._attempt(prepared, timeout, self._read)

    async def _read(self, raw: httpx.Response) -> Response:
        """The whole answer, decoded within max_response_bytes."""
        try:
            content = b"".join([piece async for piece in _adecoded(raw, self._reader(raw))])
        finally:
            await raw.aclose()
        return Response(raw.status_code, raw.headers, content)

    async def _finish(self, prepared: Prepared, raw: Response, unsigned: bool) -> Response:
        answer = self._answer(prepared, raw, unsigned)
        if answer is None:
            await self.refresh_certificates()
            answer = self._answers.interpret(prepared, raw, unsigned)
        return answer

    async def refresh_certificates(self) -> None:
        """Download and install the platform certificates (`GET /v3/certificates`); needs apiv3_key. Tasks that
        ask at once share one download."""
        self._certificates.require_key()
        seen = self._certificates.finished
        async with self._refresh_lock:
            if self._certificates.finished == seen:
                prepared = self._certificates_request()
                self._install_certificates(prepared, await self._transmit(prepared, None))

    async def _send(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        timeout: float | httpx.Timeout | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Response:
        if self._certificates.needed_for(op):
            await self.refresh_certificates()
        prepared = self._calls.prepare(op, path_params, query, headers, body, extra_headers)
        return await self._finish(prepared, await self._transmit(prepared, timeout), op.unsigned_response)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Response:
        """Any APIv3 path: signed, and its response verified."""
        prepared = self._calls.raw(method, path, json, query, headers, content)
        return await self._finish(prepared, await self._transmit(prepared, timeout), False)

    async def with_raw_response(
        self, method: Callable[_P, Awaitable[_T]], *args: _P.args, **kwargs: _P.kwargs
    ) -> RawResponse[_T]:
        """Await `method` (any method of this client's tree) and return its HTTP answer beside its result:
        `await client.with_raw_response(client.v3.pay.transactions.jsapi.post, appid=...)`."""
        with capturing() as seen:
            parsed = await method(*args, **kwargs)
        return raw_result(seen, parsed)

    async def parse_notification(self, headers: Mapping[str, str], body: bytes | str) -> dict[str, Any]:
        """`SyncClientBase.parse_notification`, awaitable: verified and decrypted, never touching the network."""
        return self._notification(headers, body)

    @overload
    async def download(self, url: str, *, hash_type: str, hash_value: str, to: None = None) -> bytes: ...

    @overload
    async def download(self, url: str, *, hash_type: str, hash_value: str, to: str | os.PathLike[str]) -> Path: ...

    async def download(
        self, url: str, *, hash_type: str, hash_value: str, to: str | os.PathLike[str] | None = None
    ) -> bytes | Path:
        """`SyncClientBase.download`, awaitable: the announced digest checked, a file renamed only once it matches."""
        prepared, sink = self._download_request(url, hash_type, hash_value, to)
        raw = await self._attempt(prepared, None, _keep_streaming_async)
        try:
            if not 200 <= raw.status_code < 300:
                await self._finish(prepared, await self._read(raw), True)  # raises the answer's typed error
            with sink:
                async for chunk in _adecoded(raw, self._reader(raw)):
                    sink.write(chunk)
            return self._downloaded(raw, sink.result)
        except httpx.TransportError as exc:  # the connection broke while the file streamed in
            raise connection_error(exc) from exc
        finally:
            await raw.aclose()


def _keep_streaming(raw: httpx.Response) -> httpx.Response:
    return raw


async def _keep_streaming_async(raw: httpx.Response) -> httpx.Response:
    return raw


def _decoded(raw: httpx.Response, reader: BodyReader) -> Iterator[bytes]:
    if raw.is_stream_consumed:
        yield reader.read_already(raw.content)
        return
    for chunk in raw.iter_raw():
        yield from reader.feed(chunk)


async def _adecoded(raw: httpx.Response, reader: BodyReader) -> AsyncIterator[bytes]:
    if raw.is_stream_consumed:
        yield reader.read_already(raw.content)
        return
    async for chunk in raw.aiter_raw():
        for piece in reader.feed(chunk):
            yield piece
