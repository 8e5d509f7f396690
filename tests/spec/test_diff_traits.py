"""Operation traits in `diff`: a change of host, or an answer becoming unsigned, is breaking (signed traffic goes
elsewhere; answers are no longer verified)."""

from __future__ import annotations

from typing import Any

from generator.spec.diff import Impact
from tests.sync.test_diff import changes_of


def set_host(url: str) -> Any:
    def edit(op: dict[str, Any]) -> None:
        op["x-wechatpay-base-url"] = url

    return edit


def test_a_host_change_is_breaking() -> None:
    assert changes_of(set_host("https://apihk.mch.weixin.qq.com/")) == [
        ("operation-changed", Impact.BREAKING, "host", None, "https://apihk.mch.weixin.qq.com/")
    ]


def test_an_answer_becoming_unsigned_is_breaking() -> None:
    def unsigned(op: dict[str, Any]) -> None:
        op["responses"]["200"]["x-wechatpay-unsigned"] = True

    assert changes_of(unsigned) == [("operation-changed", Impact.BREAKING, "unsigned response", None, "yes")]
