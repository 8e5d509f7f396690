"""Every request a corpus page's example describes, as the package generated from the whole corpus sends it,
passes Prism's validation of the corpus bundle, through the package's own fake as a signing proxy
(tests/prism.py). An example the client's own check refuses (a placeholder `''` where the table requires a
value, a value outside its enum) is not sent, and is counted."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest

from generator.codegen.model import Api
from generator.spec.io import SpecFile
from tests.prism import Verdicts, example_calls, prism_mocking

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def corpus_prism(corpus_specs: list[SpecFile], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with prism_mocking(corpus_specs, tmp_path_factory.mktemp("prism-corpus")) as url:
        yield url


def test_every_corpus_page_example_request_passes_prism(
    corpus_package: ModuleType, corpus_specs: list[SpecFile], corpus_api: Api, corpus_prism: str
) -> None:
    calls = list(example_calls(corpus_specs, corpus_api))
    fake = corpus_package.testing.FakeWeChatPay.create(upstream=corpus_prism)
    verdicts = Verdicts()
    with (
        fake.http_client() as http,
        fake.http_client(client_certificate=True) as mtls,
        corpus_package.Client(**fake.client_settings(), http_client=http, mtls_http_client=mtls) as client,
    ):
        for call in calls:
            try:
                getattr(client.chain(call.call_path), call.method)(**call.arguments)
            except corpus_package.WeChatPayError as error:
                verdicts.record(corpus_package, call, error)
            else:
                verdicts.record(corpus_package, call, None)
    print("\n" + verdicts.summary(len(calls)))
    assert verdicts.failed == [], "\n".join(verdicts.failed)
    assert len(calls) >= 1000 and verdicts.passed >= 0.85 * len(calls)  # 2026-08 snapshot: 1,042 of 1,129
    assert fake.rejections == []
