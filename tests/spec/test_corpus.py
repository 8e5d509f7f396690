"""The real doc corpus: every page parses, every operation is there, and the reference agrees."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from generator.report import Level
from generator.spec.build import ParseResult, parse_docs
from generator.spec.io import bundle, dump_yaml, load_yaml, write_bundle

pytestmark = pytest.mark.corpus

# The figures issue 2 asks of the parser, scored against the hand-written reference.
THRESHOLDS = {"operation_recall": 0.995, "strict_field_f1": 0.98, "operations_exact_rate": 0.88}


def count_operations(docs: Path) -> int:
    """Independent of the parser: every documented operation or notification ends with a request-table marker."""
    return sum(p.read_text(encoding="utf-8").count("{.im-table #request}") for p in docs.rglob("*.md"))


@pytest.fixture(scope="module", params=["docs", "docs-2025-05"])
def parsed(request: pytest.FixtureRequest, corpus: Path) -> Iterator[tuple[Path, ParseResult]]:
    docs = corpus / request.param
    yield docs, parse_docs(docs)


def test_every_page_parses_without_error_and_every_operation_is_there(parsed: tuple[Path, ParseResult]) -> None:
    docs, result = parsed
    assert not [d for d in result.diagnostics if d.level is Level.ERROR]
    assert result.pages == len(list(docs.rglob("*.md")))
    assert result.operations == count_operations(docs)
    assert all(d.file and d.line > 0 for d in result.diagnostics)


def test_the_current_snapshot_has_1259_operations(corpus: Path) -> None:
    assert count_operations(corpus / "docs") == 1259


def test_bundle_validates_and_scores(parsed: tuple[Path, ParseResult], corpus: Path, tmp_path: Path) -> None:
    docs, result = parsed
    document = bundle(result.specs)
    validate(document)
    if docs.name != "docs":
        return
    out = tmp_path / "bundle.yaml"
    write_bundle(document, out)
    scorer = corpus.parent / "tools" / "score_openapi.py"
    figures = tmp_path / "score.json"
    subprocess.run([sys.executable, str(scorer), str(out), "--truth", str(corpus / "truth"), "--json", str(figures)], check=True, capture_output=True)
    score = json.loads(figures.read_text())
    for key, minimum in THRESHOLDS.items():
        assert score[key] >= minimum, f"{key} = {score[key]:.4f} < {minimum}"


def test_spec_text_reads_back_as_the_same_data(parsed: tuple[Path, ParseResult]) -> None:
    """The pipeline hands later stages the data it wrote as text, without reading the text back."""
    _, result = parsed
    for spec in result.specs:
        assert load_yaml(dump_yaml(spec.data), spec.name) == spec.data, spec.name
