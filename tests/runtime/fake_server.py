"""The fake WeChat Pay the tests and benchmarks run against: the package's own `wechatpay.testing`, loaded straight
from templates/runtime/testing.py (it imports nothing from the runtime, so a runtime test against it checks the
runtime's signing with an independent implementation)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "wechatpay_testing_under_test"
_PATH = Path(__file__).resolve().parents[2] / "templates" / "runtime" / "testing.py"


def _load() -> None:
    if _NAME in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(_NAME, _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[_NAME] = module  # before running it: its dataclasses look their module up
    spec.loader.exec_module(module)


_load()

from wechatpay_testing_under_test import (  # the module exists once loaded above
    OAEP,
    FakeRequest,
    FakeWeChatPay,
    Merchant,
    Reply,
    Signer,
    cert_pem,
    new_key,
    private_pem,
    public_pem,
    v2_sign,
    v2_xml,
)

__all__ = [
    "OAEP",
    "FakeRequest",
    "FakeWeChatPay",
    "Merchant",
    "Reply",
    "Signer",
    "cert_pem",
    "new_key",
    "private_pem",
    "public_pem",
    "v2_sign",
    "v2_xml",
]
