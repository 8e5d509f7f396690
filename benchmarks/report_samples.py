"""How the SDK generated from the corpus reads real samples of the service's answers, notifications and requests.

    WECHATPAY_CORPUS=../shared/corpus .venv/bin/python benchmarks/report_samples.py [--samples DIR] [--list]

Prints, for responses and notifications: how many became typed results (with or without disagreements with their
page), how many raised or lost their body, and the share of the samples' fields that the models declare (the rest
is kept in the result, untyped). For requests: how many pass the SDK's own check with default settings, and each
refusal with its field and reason. The same code as tests/codegen/test_samples.py.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.codegen import GenerateOptions, generate, write_tree  # noqa: E402
from generator.codegen.model import build_api  # noqa: E402
from generator.spec.build import parse_docs  # noqa: E402
from tests.codegen.samples import (  # noqa: E402
    Tally,
    check_requests,
    load_samples,
    read_notifications,
    read_responses,
)
from tests.runtime.fake_server import FakeWeChatPay  # noqa: E402

PACKAGE = "wpsamples"


def main() -> None:
    corpus = Path(os.environ.get("WECHATPAY_CORPUS", ROOT.parent / "shared" / "corpus"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=Path(os.environ.get("WECHATPAY_SAMPLES") or corpus / "samples"))
    parser.add_argument("--list", action="store_true", help="print every sample that raised, lost its body or was refused")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the disagreements are counted here, not logged
    specs = parse_docs(corpus / "docs").specs
    options = GenerateOptions(package=PACKAGE)
    samples = load_samples(args.samples)
    with tempfile.TemporaryDirectory() as out:
        write_tree(generate(specs, options), Path(out))
        sys.path.insert(0, out)
        package = importlib.import_module(PACKAGE)
        api = build_api(specs, options)
        with FakeWeChatPay.create() as fake:
            show("responses", read_responses(package, api, samples, fake), args.list)
            show("notifications", read_notifications(package, samples, fake), args.list)
            requests = check_requests(package, api, samples, fake)
        show("requests", requests, True)
        checked = sum(requests.outcomes.values())
        print(f"requests passing the check: {requests.outcomes['passes']}/{checked} = {requests.outcomes['passes'] / checked:.1%}")


def show(name: str, tally: Tally, listing: bool) -> None:
    outcomes = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.outcomes.items()))
    print(f"{name}: {sum(tally.outcomes.values())} samples: {outcomes}")
    if name != "requests":
        print(f"  fields the models declare: {tally.fields_declared}/{tally.fields_seen} = {tally.declared_share:.1%}")
    if listing:
        for failure in tally.failures:
            print(f"    {failure}")


if __name__ == "__main__":
    main()
