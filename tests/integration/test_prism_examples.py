"""Every request a page's example describes, as the generated client sends it, passes Prism's validation of the
bundle, through the fake's signing proxy (tests/prism.py). An example the client's own check refuses is not sent.
Skipped where Prism (npm) cannot run; the whole corpus: tests/codegen/test_prism_corpus.py."""

from __future__ import annotations

from types import ModuleType

import pytest

from generator.codegen import GenerateOptions
from generator.codegen.model import build_api
from generator.spec.io import read_specs
from tests.prism import ExampleCall, Verdicts, example_calls
from tests.runtime.fake_server import Signer

from .conftest import PACKAGE, Build
from .helpers import wait
from .test_testing import on_transport


@pytest.fixture(scope="module")
def calls(build: Build) -> list[ExampleCall]:
    specs = read_specs(build.specs)
    return list(example_calls(specs, build_api(specs, GenerateOptions(package=PACKAGE))))


def test_the_example_pages_give_calls_to_send(calls: list[ExampleCall]) -> None:
    labels = {call.label for call in calls}
    assert len(calls) >= 18 and sum(bool(call.arguments) for call in calls) >= 0.8 * len(calls)
    assert "POST /v3/pay/transactions/jsapi" in labels and "POST /pay/orderquery" in labels
    assert "POST /v3/merchant/media/upload" not in labels  # its page has no example
    refund = next(call for call in calls if call.label == "POST /secapi/pay/refundv2")
    assert isinstance(refund.arguments["detail"], dict)  # a JSON-string field, passed decoded


async def test_every_page_example_request_passes_prism(
    wechatpay: ModuleType, kind: str, signer: Signer, prism: str, calls: list[ExampleCall]
) -> None:
    fake = wechatpay.testing.FakeWeChatPay.create(signers=[signer], upstream=prism)
    verdicts = Verdicts()
    async with on_transport(wechatpay, kind, fake, strict_responses=False) as client:
        for call in calls:
            try:
                await wait(getattr(client.chain(call.call_path), call.method)(**call.arguments))
            except wechatpay.WeChatPayError as error:
                verdicts.record(wechatpay, call, error)
            else:
                verdicts.record(wechatpay, call, None)
    print("\n" + verdicts.summary(len(calls)))
    assert verdicts.failed == [], "\n".join(verdicts.failed)
    assert verdicts.refused == [] and verdicts.passed == len(calls)  # the example pages' examples are sound
    assert fake.rejections == []
