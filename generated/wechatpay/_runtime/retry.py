"""When a call is tried again, and after how long: decisions only, the clients do the sending and the waiting."""

from __future__ import annotations

import logging
import random
from typing import NamedTuple

import httpx

from .errors import connection_error
from .prepare import Prepared

logger = logging.getLogger(__name__)


class RetryPolicy(NamedTuple):
    """GETs and calls safe to repeat (a merchant number, an `Idempotency-Key`) are tried again on 429, 5xx and
    connection errors; a connection that never opened, for any call. Jittered exponential backoff, honouring
    `Retry-After`."""

    max_retries: int
    base_delay: float = 0.5  # seconds; doubled per attempt, full jitter
    max_delay: float = 8.0

    def delay_after_answer(
        self, prepared: Prepared, status_code: int, headers: httpx.Headers, attempt: int
    ) -> float | None:
        """Seconds to wait before trying again, or None: the answer is final."""
        retried = status_code == 429 or status_code >= 500
        if retried and prepared.retry_safe and attempt < self.max_retries:
            return self._delay(attempt, headers.get("Retry-After"))
        return None

    def delay_after_failure(self, prepared: Prepared, exc: httpx.TransportError, attempt: int) -> float:
        """Seconds to wait before trying again; raises the typed error when the failure is final. A failed connect
        sent nothing, so it is always safe to repeat."""
        never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
        if attempt < self.max_retries and (prepared.retry_safe or never_sent):
            logger.info("retrying %s %s after %s", prepared.method, httpx.URL(prepared.url).path, type(exc).__name__)
            return self._delay(attempt, None)
        raise connection_error(exc) from exc

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None and retry_after.isascii() and retry_after.isdigit():
            return min(float(retry_after), self.max_delay)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))
