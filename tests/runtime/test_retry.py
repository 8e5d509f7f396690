"""The retry policy alone: decisions without I/O (the clients send and sleep)."""

from __future__ import annotations

import httpx
import pytest

from .conftest import rt  # noqa: I001 - registers the runtime package first
from wechatpay_runtime_under_test.prepare import Prepared
from wechatpay_runtime_under_test.retry import RetryPolicy

GET = Prepared(method="GET", url="https://api.mch.weixin.qq.com/v3/x", api="v3", retry_safe=True)
POST = Prepared(method="POST", url="https://api.mch.weixin.qq.com/v3/x", api="v3")


def test_a_safe_call_is_retried_on_429_and_5xx_honouring_retry_after() -> None:
    policy = RetryPolicy(max_retries=2)
    assert policy.delay_after_answer(GET, 503, httpx.Headers({"Retry-After": "3"}), 0) == 3.0
    assert policy.delay_after_answer(GET, 429, httpx.Headers({"Retry-After": "60"}), 1) == policy.max_delay
    jittered = policy.delay_after_answer(GET, 500, httpx.Headers(), 1)
    assert jittered is not None and 0 <= jittered <= policy.base_delay * 2
    assert policy.delay_after_answer(GET, 503, httpx.Headers(), 2) is None  # retries spent
    assert policy.delay_after_answer(GET, 404, httpx.Headers(), 0) is None
    assert policy.delay_after_answer(POST, 503, httpx.Headers(), 0) is None  # not safe to repeat


def test_a_failed_connect_is_retried_for_any_call_and_a_final_failure_is_typed() -> None:
    policy = RetryPolicy(max_retries=1)
    assert policy.delay_after_failure(POST, httpx.ConnectError("refused"), 0) >= 0
    with pytest.raises(rt.APIConnectionError) as caught:
        policy.delay_after_failure(POST, httpx.ReadError("reset"), 0)  # the request may have arrived
    assert isinstance(caught.value.__cause__, httpx.ReadError)
    with pytest.raises(rt.APITimeoutError):
        policy.delay_after_failure(GET, httpx.ReadTimeout("slow"), 1)
