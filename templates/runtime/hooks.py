"""What only tests may change: the clock and the APIv3 key's size. They are no settings of the client: a client
takes them when it is made, from `client_hooks(...)` (`wechatpay.testing.client_hooks`) around its construction."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple


class Hooks(NamedTuple):
    clock: Callable[[], float] = time.time  # seconds since the epoch: signatures' timestamps and their freshness
    short_apiv3_key: bool = False  # accept an APIv3 key of 16 or 24 bytes (the protocol's test vectors use one)


_CURRENT: ContextVar[Hooks] = ContextVar("wechatpay_client_hooks", default=Hooks())


def current_hooks() -> Hooks:
    return _CURRENT.get()


@contextmanager
def client_hooks(*, clock: Callable[[], float] = time.time, short_apiv3_key: bool = False) -> Iterator[None]:
    """Clients made inside the block read the time from `clock`, and accept an APIv3 key of 16 or 24 bytes when
    `short_apiv3_key`: `with client_hooks(clock=lambda: 1700000000.0): client = Client(...)`."""
    token = _CURRENT.set(Hooks(clock, short_apiv3_key))
    try:
        yield
    finally:
        _CURRENT.reset(token)
