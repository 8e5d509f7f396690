"""The static description of one documented operation; the generator emits one per method."""

from __future__ import annotations

from typing import NamedTuple


# NamedTuple, not a frozen dataclass: making a frozen dataclass's class costs ~2 ms, on every client's import path.
class Operation(NamedTuple):
    """What the runtime needs to know to send one operation and read its answer.

    `encrypted_fields` are dotted pointers into the body (`payer.name`, `items[].name`), or
    `header:<name>` / `query:<name>`; their values are RSA-OAEP encrypted before sending.
    `json_string_fields` (same pointers) travel as a JSON string: the caller passes a dict/list.
    `idempotency_key`: the docs list an `Idempotency-Key` header; the runtime fills one when the
    caller does not, and reuses it across retries.
    `unsigned_response`: the docs show the success answer unsigned (an APIv3 file stream without
    Wechatpay-Signature; an APIv2 answer table without `sign`, as the appauth `retcode` family); any other
    answer without its signature is refused.
    `signed_query`: an APIv2 operation without a body whose query carries `sign` (the runtime fills it).
    `redirect`: the page documents a 30x answer only: the operation is a URL the user's browser is sent to,
    which the client builds (signed where the page signs it) and never sends; `fragment` ends it.
    `serial_header`: the page requires `Wechatpay-Serial` though it encrypts nothing: the serial is sent all the same.
    """

    method: str
    path: str
    api: str = "v3"
    request_media: str | None = None
    response_media: str | None = "application/json"
    encrypted_fields: tuple[str, ...] = ()
    json_string_fields: tuple[str, ...] = ()
    client_cert: bool = False
    nonceless: bool = False
    base_url: str | None = None
    unsigned_response: bool = False
    idempotency_key: bool = False
    signed_query: bool = False
    redirect: bool = False
    fragment: str = ""
    serial_header: bool = False
