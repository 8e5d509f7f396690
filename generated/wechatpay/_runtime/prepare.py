"""Turning an operation and the caller's arguments into the exact bytes to send (signed per attempt)."""

from __future__ import annotations

import copy
import hashlib
import json
import mimetypes
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from . import v2
from .errors import RequestValidationError
from .operation import Operation
from .secret import Secret

Encrypt = Callable[[str], str]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_OUT_NO = re.compile(r"^out_[a-z0-9_]*_no$")
_UNSAFE_SEGMENTS = ("", ".", "..")  # empty, or rewritten by URL normalisation


@dataclass
class Prepared:
    """One call, ready to sign: body bytes fixed once so every retry sends (and signs) the same bytes."""

    method: str
    url: str
    api: str
    query: list[tuple[str, str | int | float | bool | None]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    signed_body: bytes = b""  # what the v3 signature covers: the body, or the upload's meta JSON
    retry_safe: bool = False
    client_cert: bool = False
    v2_sign_type: str = v2.MD5
    xml_response: bool = False  # APIv2: the answer must be XML (else only an XML-looking answer is parsed)


def compact_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def expand_path(template: str, params: Mapping[str, Any] | None) -> str:
    """Substitute `{name}` placeholders, each value percent-encoded as one segment (every reserved character,
    `/` included); an empty value, `.` and `..` are refused: they would name another endpoint."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if params is None or params.get(name) in (None, ""):
            raise RequestValidationError(f"path parameter {name!r} is required")
        segment = str(params[name])
        if segment in _UNSAFE_SEGMENTS:
            raise RequestValidationError(f"path parameter {name!r} cannot be {segment!r}")
        try:
            return quote(segment, safe="")
        except UnicodeEncodeError:  # a lone surrogate has no UTF-8 form
            raise RequestValidationError(f"path parameter {name!r} is not valid text") from None

    return _PLACEHOLDER.sub(value, template)


def _transform(node: Any, parts: list[str], pointer: str, fn: Callable[[Any, str], Any]) -> None:
    """Apply `fn` in place to every value the dotted pointer reaches; absent values are left alone."""
    head, rest = parts[0], parts[1:]
    each = head.endswith("[]")
    name = head[:-2] if each else head
    if not isinstance(node, dict) or node.get(name) is None:
        return
    if each:
        items = node[name]
        if not isinstance(items, list):
            raise RequestValidationError(f"{pointer}: {name!r} must be a list")
        for index, item in enumerate(items):
            if rest:
                _transform(item, rest, pointer, fn)
            elif item is not None:
                items[index] = fn(item, pointer)
    elif rest:
        _transform(node[name], rest, pointer, fn)
    else:
        node[name] = fn(node[name], pointer)


def _encrypting(encrypt: Encrypt) -> Callable[[Any, str], Any]:
    def apply(value: Any, pointer: str) -> str:
        if not isinstance(value, str):
            raise RequestValidationError(f"{pointer}: a sensitive field must be a string, got {type(value).__name__}")
        return encrypt(value)

    return apply


def _dump_json_string(value: Any, pointer: str) -> Any:
    return compact_json(value).decode("utf-8") if isinstance(value, (dict, list)) else value


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def transform_fields(
    op: Operation,
    body: Any,
    query: dict[str, Any],
    headers: dict[str, str],
    encrypt: Encrypt | None,
    path: dict[str, Any] | None = None,
) -> Any:
    """Encrypt the operation's sensitive fields, then encode its JSON-string fields (inner ones first); the query,
    headers and path values in place."""
    body = copy.deepcopy(body)
    parameters = {"query": query, "header": headers, "path": {} if path is None else path}
    if op.encrypted_fields:
        if encrypt is None:
            raise RequestValidationError("this operation has sensitive fields but no encryption key is available")
        for pointer in op.encrypted_fields:
            _apply(pointer, body, parameters, _encrypting(encrypt))
    for pointer in sorted(op.json_string_fields, key=lambda p: p.count("."), reverse=True):
        _apply(pointer, body, parameters, _dump_json_string)
    return body


def _apply(pointer: str, body: Any, parameters: Mapping[str, dict[str, Any]], fn: Callable[[Any, str], Any]) -> None:
    """`query:<name>`, `header:<name>` and `path:<name>` reach a parameter; any other pointer reaches into the body."""
    location, _, name = pointer.partition(":")
    if name and location in parameters:
        _transform(parameters[location], [name], pointer, fn)
    else:
        _transform(body, pointer.split("."), pointer, fn)


def _has_out_no(values: Mapping[str, Any] | None) -> bool:
    """A merchant order number makes a POST safe to repeat: the service deduplicates on it."""
    return values is not None and any(_OUT_NO.match(name) and value not in (None, "") for name, value in values.items())


def _multipart(parts: Mapping[str, Any]) -> tuple[bytes, bytes, str]:
    """(meta JSON, full multipart body, Content-Type). The file part is `file` or the page's own name for it
    (`due_diligence_file`); a meta of the standard upload shape gets its `filename` and `sha256` filled."""
    name = _file_part_name(parts)
    file_part = parts[name]
    if isinstance(file_part, bytes):
        file_part = (name, file_part)
    if not (isinstance(file_part, tuple) and 2 <= len(file_part) <= 3 and isinstance(file_part[1], bytes)):
        raise RequestValidationError(f"'{name}' must be bytes, (filename, bytes) or (filename, bytes, content_type)")
    filename, data = str(file_part[0]), file_part[1]
    content_type = file_part[2] if len(file_part) == 3 else None
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    meta = dict(parts.get("meta") or {})
    if set(meta) <= {"filename", "sha256"}:
        meta.setdefault("filename", filename)
        meta.setdefault("sha256", hashlib.sha256(data).hexdigest())
    meta_json = compact_json(meta)
    files: list[tuple[str, tuple[str | None, bytes, str]]] = [("meta", (None, meta_json, "application/json"))]
    for part, value in parts.items():
        if part not in ("meta", name):
            files.append((part, (None, value if isinstance(value, bytes) else str(value).encode(), "text/plain")))
    files.append((name, (str(meta.get("filename") or filename), data, content_type)))
    request = httpx.Request("POST", "http://multipart.invalid/", files=files)
    return meta_json, request.read(), request.headers["Content-Type"]


def _file_part_name(parts: Mapping[str, Any]) -> str:
    if "file" in parts:
        return "file"
    files = [name for name, value in parts.items() if name != "meta" and isinstance(value, (bytes, tuple))]
    if len(files) != 1:
        raise RequestValidationError("multipart body needs one file part")
    return files[0]


def prepare_v3(
    op: Operation,
    base_url: str,
    *,
    path_params: Mapping[str, Any] | None,
    query: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    body: Any,
    encrypt: Encrypt | None,
) -> Prepared:
    query_values = {k: v for k, v in (query or {}).items() if v is not None}
    header_values = {k: str(v) for k, v in (headers or {}).items() if v is not None}
    path_values = dict(path_params or {})
    body = transform_fields(op, body, query_values, header_values, encrypt, path_values)
    prepared = Prepared(
        method=op.method.upper(),
        url=(op.base_url or base_url).rstrip("/") + expand_path(op.path, path_values),
        api="v3",
        query=[(k, _scalar(v)) for k, v in query_values.items()],
        headers=header_values,
        client_cert=op.client_cert,
    )
    has_key = any(name.lower() == "idempotency-key" for name in header_values)
    if op.idempotency_key and not has_key:
        prepared.headers["Idempotency-Key"] = new_idempotency_key()
        has_key = True
    if body is not None and op.request_media == "multipart/form-data":
        if not isinstance(body, dict):
            raise RequestValidationError("multipart body must be a dict of parts")
        prepared.signed_body, prepared.content, content_type = _multipart(body)
        prepared.headers["Content-Type"] = content_type
    elif body is not None:
        prepared.content = prepared.signed_body = compact_json(body)
        prepared.headers["Content-Type"] = "application/json"
    prepared.retry_safe = (
        prepared.method in ("GET", "HEAD")
        or has_key
        or _has_out_no(body if isinstance(body, dict) else None)
        or _has_out_no(path_params)
    )
    return prepared


def new_idempotency_key() -> str:
    return secrets.token_hex(16)


def prepare_v2(
    op: Operation,
    base_url: str,
    *,
    path_params: Mapping[str, Any] | None,
    query: Mapping[str, Any] | None,
    body: Mapping[str, Any] | None,
    apiv2_key: Secret[str],
    headers: Mapping[str, str] | None,
    encrypt: Encrypt | None = None,
) -> Prepared:
    """An APIv2 call. Its XML body carries `nonce_str` (unless nonceless) and `sign`; an operation without a body
    whose page lists `sign` in the query (`signed_query`) signs its query fields instead, and adds no nonce.
    Sensitive fields are encrypted (with the APIv2 RSA key) before signing."""
    query_values = {k: _scalar(v) for k, v in (query or {}).items() if v is not None}
    prepared = Prepared(
        method=op.method.upper(),
        url=(op.base_url or base_url).rstrip("/") + expand_path(op.path, path_params),
        api="v2",
        headers={k: str(v) for k, v in (headers or {}).items() if v is not None},
        client_cert=op.client_cert,
        xml_response=op.response_media in ("application/xml", "text/xml"),
    )
    if op.signed_query:
        query_values, prepared.v2_sign_type = _signed_v2(query_values, apiv2_key)
    prepared.query = list(query_values.items())
    fields = query_values  # the call's own fields: the body's when there is one
    if body is not None:
        encoded = transform_fields(op, dict(body), {}, {}, encrypt)
        fields = {k: _scalar(v) for k, v in encoded.items() if v is not None and k != "sign"}
        if not op.nonceless:
            fields.setdefault("nonce_str", secrets.token_hex(16))
        fields, prepared.v2_sign_type = _signed_v2(fields, apiv2_key)
        prepared.content = prepared.signed_body = v2.to_xml(fields)
        prepared.headers["Content-Type"] = "text/xml"
    prepared.retry_safe = prepared.method == "GET" or _has_out_no(fields)
    return prepared


def _signed_v2(params: Mapping[str, str], apiv2_key: Secret[str]) -> tuple[dict[str, str], str]:
    """The fields with their `sign`, made per their own `sign_type` (MD5 when they name none); and that type."""
    sign_type = params.get("sign_type", v2.MD5)
    if sign_type not in (v2.MD5, v2.HMAC_SHA256):
        raise RequestValidationError(f"sign_type must be {v2.MD5!r} or {v2.HMAC_SHA256!r}")
    unsigned = {k: v for k, v in params.items() if k != "sign"}
    return {**unsigned, "sign": v2.sign(unsigned, apiv2_key, sign_type)}, sign_type
