"""Real samples of the service's answers, notifications and requests through the package generated from the corpus.

A verified answer is the service's word: every response sample becomes a typed result and every notification
sample its typed event, through the code a call takes. Requests are refused only for what the page says without
doubt; the refusals on the visible samples are listed below, each with its reason.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from generator.codegen.model import Api
from tests.runtime.fake_server import FakeWeChatPay

from .samples import Sample, Tally, check_requests, load_samples, read_notifications, read_responses

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def samples(samples_dir: Path) -> list[Sample]:
    return load_samples(samples_dir)


@pytest.fixture(scope="module")
def fake() -> object:
    with FakeWeChatPay.create() as service:
        yield service


def report(name: str, tally: Tally) -> None:
    print(f"{name}: {dict(tally.outcomes)}; fields declared {tally.declared_share:.1%}")
    for failure in tally.failures:
        print("   ", failure)


def test_every_response_sample_becomes_a_typed_result(
    corpus_package: ModuleType, corpus_api: Api, samples: list[Sample], fake: FakeWeChatPay
) -> None:
    tally = read_responses(corpus_package, corpus_api, samples, fake)
    report("responses", tally)
    assert tally.outcomes["raised"] == 0 and tally.outcomes["dropped"] == 0, "\n".join(tally.failures)
    assert tally.outcomes["typed"] + tally.outcomes["typed, with disagreements"] > 300
    assert tally.declared_share > 0.95


def test_strict_responses_raise_on_the_samples_that_break_their_page(
    corpus_package: ModuleType, corpus_api: Api, samples: list[Sample], fake: FakeWeChatPay
) -> None:
    lenient = read_responses(corpus_package, corpus_api, samples, fake)
    strict = read_responses(corpus_package, corpus_api, samples, fake, strict_responses=True)
    disagreeing = lenient.outcomes["typed, with disagreements"]
    assert disagreeing > 0 and strict.outcomes["raised"] == disagreeing
    assert all("ResponseValidationError" in failure for failure in strict.failures if "(expected)" not in failure)


def test_every_notification_sample_becomes_its_typed_event(
    corpus_package: ModuleType, samples: list[Sample], fake: FakeWeChatPay
) -> None:
    tally = read_notifications(corpus_package, samples, fake)
    report("notifications", tally)
    assert tally.outcomes["raised"] == 0, "\n".join(tally.failures)
    assert not any(outcome.startswith("untyped") for outcome in tally.outcomes), "every sample's event type is documented"
    assert tally.declared_share > 0.85


# The visible request samples the check refuses, and why: each breaks what its page says without doubt (a field
# the page requires, a value outside the page's enum, a type the page gives otherwise) or misspells a documented
# field. None is refused for a field the page makes either-or.
REFUSED: dict[str, str] = {}


def test_request_samples_pass_the_check(corpus_package: ModuleType, corpus_api: Api, samples: list[Sample]) -> None:
    tally = check_requests(corpus_package, corpus_api, samples)
    report("requests", tally)
    checked = sum(tally.outcomes.values())
    print(f"requests passing the check: {tally.outcomes['passes']} of {checked} ({tally.outcomes['passes'] / checked:.1%})")
    refused = {failure.split(":", 1)[0]: failure for failure in tally.failures}
    either_or = {name for op in corpus_api.operations for group in op.either_or for alt in group for name in alt}
    assert not [f for f in tally.failures if any(f"{name}: Field required" in f for name in either_or)]
    assert set(refused) == set(REFUSED), "\n".join(v for k, v in refused.items() if k not in REFUSED)
    assert tally.outcomes["passes"] >= 0.9 * checked
