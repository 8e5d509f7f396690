"""A client's calls as requests: an operation and its arguments, with the client's keys and host, become a
`Prepared` (fixed bytes); each attempt then sends it as a fresh httpx request, signed anew."""

from __future__ import annotations

import platform
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import httpx

from .body import ACCEPT_ENCODING
from .config import Credentials
from .crypto import rsa_encrypt
from .errors import ConfigurationError, RequestValidationError
from .operation import Operation
from .prepare import Prepared, prepare_v2, prepare_v3
from .signing import KeyStore, authorization, new_nonce

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
USER_AGENT = f"wechatpay-python (httpx/{httpx.__version__}; Python/{platform.python_version()})"


class CallPreparer:
    """Prepares the calls of one client: its credentials, the WeChat Pay keys it holds, its host, its clock."""

    def __init__(
        self,
        credentials: Credentials,
        keys: KeyStore,
        base_url: str | None,
        clock: Callable[[], float],
    ) -> None:
        self._credentials = credentials
        self._keys = keys
        self._own_base_url = base_url is not None  # the user's host then wins over the pages' own (tests, proxies)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._clock = clock

    def prepare(
        self,
        op: Operation,
        path_params: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Prepared:
        op = self._routed(op)
        if op.api == "v2":
            prepared = self._prepare_v2(op, path_params, query, headers, body)
        else:
            prepared = self._prepare_v3(op, path_params, query, headers, body)
        prepared.headers.update({k: str(v) for k, v in (extra_headers or {}).items()})
        return prepared

    def _prepare_v2(
        self,
        op: Operation,
        path_params: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        body: Any,
    ) -> Prepared:
        if self._credentials.apiv2_key is None:
            raise ConfigurationError("apiv2_key: required for APIv2 operations")
        if body is not None and not isinstance(body, Mapping):
            raise RequestValidationError("an APIv2 body must be a dict")
        rsa_key = self._credentials.apiv2_rsa_public_key
        if op.encrypted_fields and rsa_key is None:
            raise ConfigurationError(
                "apiv2_rsa_public_key: required for this operation's sensitive fields "
                "(the key /risk/getpublickey returns)"
            )
        return prepare_v2(
            op,
            self.base_url,
            path_params=path_params,
            query=query,
            body=body,
            apiv2_key=self._credentials.apiv2_key,
            headers=headers,
            encrypt=partial(rsa_encrypt, rsa_key) if rsa_key is not None else None,
        )

    def _prepare_v3(
        self,
        op: Operation,
        path_params: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        body: Any,
    ) -> Prepared:
        if self._credentials.private_key is None:
            raise ConfigurationError("private_key: required for APIv3 operations")
        encryption = self._keys.encryption_key()
        key = encryption[1] if encryption else None
        prepared = prepare_v3(
            op,
            self.base_url,
            path_params=path_params,
            query=query,
            headers=headers,
            body=body,
            encrypt=partial(rsa_encrypt, key) if key is not None else None,
        )
        wants_key = op.encrypted_fields or op.serial_header
        serial = encryption[0] if wants_key and encryption else self._credentials.wechatpay_public_key_id
        if serial:
            prepared.headers.setdefault("Wechatpay-Serial", serial)
        if op.response_media != "application/json":  # a file, or nothing: JSON alone would be refused (406)
            prepared.headers.setdefault("Accept", "*/*")
        return prepared

    def _routed(self, op: Operation) -> Operation:
        """A base_url given to the client (a test server, a proxy) wins over the page's host for the client's own
        traffic; the page's path prefix (`/hk/`) stays. A browser redirect keeps the page's host: the user's browser
        goes there, not this client."""
        if self._own_base_url and op.base_url and not op.redirect:
            return op._replace(base_url=self.base_url + httpx.URL(op.base_url).path.rstrip("/"))
        return op

    def redirect_url(self, op: Operation, **call: Any) -> str:
        """The URL of a `redirect` operation from `_send`'s keyword arguments, signed as a call would be; sent to
        no one, so the timeout and extra headers go unused."""
        get = call.get
        prepared = self.prepare(op, get("path_params"), get("query"), get("headers"), get("body"))
        return str(httpx.URL(prepared.url, params=prepared.query)) + op.fragment

    def download(self, url: str) -> Prepared:
        """Signed GET of a `download_url`; refused for another host, which would receive a usable signature."""
        target, base = httpx.URL(url), httpx.URL(self.base_url)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise RequestValidationError(f"download url must be on {self.base_url}")
        if self._credentials.private_key is None:
            raise ConfigurationError("private_key: required for downloads")
        return Prepared(method="GET", url=url, api="v3", headers={"Accept": "*/*"}, retry_safe=True)

    def raw(
        self,
        method: str,
        path: str,
        json_body: Any,
        query: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        content: bytes | None,
    ) -> Prepared:
        """`client.request(...)`: any APIv3 path, its JSON body or its bytes as given."""
        if not path.startswith("/"):
            raise RequestValidationError("path must start with '/'")
        if json_body is not None and content is not None:
            raise RequestValidationError("pass json or content, not both")
        op = Operation(method.upper(), path, request_media="application/json" if json_body is not None else None)
        prepared = self.prepare(op, None, query, None, json_body, headers)
        if content is not None:
            prepared.content = prepared.signed_body = content
        return prepared

    def build(
        self, http: httpx.Client | httpx.AsyncClient, prepared: Prepared, timeout: float | httpx.Timeout
    ) -> httpx.Request:
        """A fresh request per attempt: v3 signs a new timestamp and nonce over the exact target and body."""
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "application/json" if prepared.api == "v3" else "*/*",
            "Accept-Encoding": ACCEPT_ENCODING,
            **prepared.headers,
        }
        request = http.build_request(
            prepared.method,
            prepared.url,
            params=prepared.query or None,
            content=prepared.content or None,
            headers=headers,
            timeout=timeout,
        )
        if prepared.api == "v3":
            request.headers["Authorization"] = self._authorization(request, prepared.signed_body)
        return request

    def _authorization(self, request: httpx.Request, body: bytes) -> str:
        credentials = self._credentials
        assert credentials.private_key is not None and credentials.merchant_serial_no is not None
        return authorization(
            mchid=credentials.mchid,
            serial_no=credentials.merchant_serial_no,
            key=credentials.private_key,
            method=request.method,
            target=request.url.raw_path.decode("ascii"),
            body=body,
            timestamp=int(self._clock()),
            nonce=new_nonce(),
        )
