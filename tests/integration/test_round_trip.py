"""The example pages' own examples, sent through the package built from them (the corpus run: tests/codegen)."""

from __future__ import annotations

from types import ModuleType

import pytest

from generator.codegen import GenerateOptions
from generator.codegen.model import build_api
from generator.spec.build import parse_docs
from tests.codegen.round_trip import example_calls, send_examples
from tests.conftest import EXAMPLES
from tests.runtime.fake_server import FakeWeChatPay


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_every_example_page_call_is_sent_as_written(wechatpay: ModuleType, asynchronous: bool) -> None:
    specs = parse_docs(EXAMPLES).specs
    calls, incomplete = example_calls(specs, build_api(specs, GenerateOptions()))
    with FakeWeChatPay.create() as fake:
        outcome = send_examples(wechatpay, calls, fake, asynchronous)
    assert (outcome.refused, outcome.differing, incomplete) == ([], [], [])
    assert outcome.sent["APIv3"] >= 10 and outcome.sent["APIv2 XML"] >= 4, outcome.summary
