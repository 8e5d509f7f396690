"""The real doc corpus: every page parses, every operation is there, and the reference agrees."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.report import Level
from generator.spec.build import ParseResult, parse_docs
from generator.spec.bundle import bundle
from generator.spec.io import dump_yaml, load_yaml, write_bundle
from tests.spec.linters import lint_errors, require_linters
from tests.spec.openapi_check import validate

pytestmark = pytest.mark.corpus

# The figures issue 2 asks of the parser, scored against the hand-written reference. Exact operations were 0.89;
# the wire forms cost 0.028 of them: the reference marks either-or alternatives required (the spec moves them
# into `anyOf`) and writes numbered families as literal keys (`coupon_id_$n`, here `patternProperties`).
THRESHOLDS = {"operation_recall": 0.995, "strict_field_f1": 0.98, "operations_exact_rate": 0.86}


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
    scoring = _start_scoring(document, corpus, tmp_path) if docs.name == "docs" else None
    validate(document)  # while the scorer runs in a process of its own
    if scoring is None:
        return
    _, errors = scoring.communicate()
    assert scoring.returncode == 0, errors
    score = json.loads((tmp_path / "score.json").read_text())
    for key, minimum in THRESHOLDS.items():
        assert score[key] >= minimum, f"{key} = {score[key]:.4f} < {minimum}"


def _start_scoring(document: dict[str, Any], corpus: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    """The reference scorer on the bundle as written, writing its figures to `score.json`."""
    out = tmp_path / "bundle.yaml"
    write_bundle(document, out)
    scorer = corpus.parent / "tools" / "score_openapi.py"
    command = [sys.executable, str(scorer), str(out), "--truth", str(corpus / "truth"), "--json", str(tmp_path / "score.json")]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_bundle_lints_without_error(parsed: tuple[Path, ParseResult], tmp_path: Path) -> None:
    """Redocly `recommended` and Spectral `oas` with the committed configs: the rules the API itself breaks are off."""
    docs, result = parsed
    if docs.name != "docs":
        pytest.skip("the lint target is the current snapshot's")
    npx = require_linters()
    out = tmp_path / "openapi.json"  # JSON: written in a blink, and read the same by both
    out.write_text(json.dumps(bundle(result.specs), ensure_ascii=False), encoding="utf-8")
    assert lint_errors(npx, out) == {"redocly": [], "spectral": []}


def test_spec_text_reads_back_as_the_same_data(parsed: tuple[Path, ParseResult]) -> None:
    """The pipeline hands later stages the data it wrote as text, without reading the text back."""
    _, result = parsed
    for spec in result.specs:
        assert load_yaml(dump_yaml(spec.data), spec.name) == spec.data, spec.name


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _spec(result: ParseResult, name: str) -> dict[str, Any]:
    return next(spec.data for spec in result.specs if spec.name == name)


def _body(result: ParseResult, name: str, path: str) -> dict[str, Any]:
    content = _spec(result, name)["paths"][path]["post"]["requestBody"]["content"]
    return dict(next(iter(content.values()))["schema"])


def test_no_spec_key_is_a_numbered_placeholder(parsed: tuple[Path, ParseResult]) -> None:
    """`out_refund_no_$n` rows are `patternProperties` keyed by a regex: no key keeps the `$n` of the page."""
    _, result = parsed
    placeholders = [(spec.name, key) for spec in result.specs for key in _keys(spec.data) if re.search(r"\$[A-Za-z]", key)]
    assert placeholders == []
    refunds = _spec(result, "openapi/v2/pay/refundquery")["paths"]["/pay/refundquery"]["post"]["responses"]["200"]
    families = refunds["content"]["application/xml"]["schema"]["patternProperties"]
    assert families["^coupon_refund_id_(0|[1-9][0-9]*)_(0|[1-9][0-9]*)$"]["x-wechatpay-indexed"] == "coupon_refund_id_$n_$m"


def test_refund_query_takes_any_one_of_its_four_ids(parsed: tuple[Path, ParseResult]) -> None:
    _, result = parsed
    schema = _body(result, "openapi/v2/pay/refundquery", "/pay/refundquery")
    assert schema["anyOf"] == [{"required": [key]} for key in ("refund_id", "out_refund_no", "transaction_id", "out_trade_no")]
    assert not {"refund_id", "out_refund_no", "transaction_id", "out_trade_no"} & set(schema["required"])
    refund = _body(result, "openapi/v2/secapi/pay/refund", "/secapi/pay/refund")
    assert refund["anyOf"] == [{"required": ["transaction_id"]}, {"required": ["out_trade_no"]}]
    assert "out_refund_no" in refund["required"]


def test_global_app_order_has_the_direct_and_the_partner_mode(parsed: tuple[Path, ParseResult]) -> None:
    _, result = parsed
    schema = _body(result, "openapi/v3/global/transactions/app", "/v3/global/transactions/app")
    assert schema["anyOf"] == [{"required": ["mchid", "appid"]}, {"required": ["sp_mchid", "sp_appid", "sub_mchid"]}]
    assert not {"mchid", "appid", "sp_mchid", "sp_appid", "sub_mchid"} & set(schema["required"])
    groups = [d for d in result.diagnostics if d.code == "either-or" and d.file == "openapi/v3/global/transactions/app.md"]
    assert len(groups) == 1 and "merchant modes" in groups[0].message and groups[0].line > 0


def test_json_strings_holding_one_array_are_decided_by_evidence(parsed: tuple[Path, ParseResult]) -> None:
    """Own example, else the same string's example on a sibling page, else the object the service sends; the
    diagnostic names which."""
    _, result = parsed
    decided = {(d.file, d.line): d.message for d in result.diagnostics if d.code == "json-string-shape"}
    assert decided and all(re.search(r"\((own example|sibling page \S+\.md|default)\)$", m) for m in decided.values())
    sources = {m.rsplit("(", 1)[1] for m in decided.values()}
    assert {"own example)", "default)"} <= sources and any(s.startswith("sibling page") for s in sources)
    answer = _spec(result, "openapi/v2/pay/profitsharingquery")["paths"]["/pay/profitsharingquery"]["post"]["responses"]["200"]
    receivers = answer["content"]["application/xml"]["schema"]["properties"]["receivers"]["contentSchema"]
    assert receivers["type"] == "array"  # the profit-sharing requests' examples send the bare array
    config = _spec(result, "openapi/v2/secapi/mch/querysubdevconfig")["paths"]["/secapi/mch/querysubdevconfig"]["post"]
    paths = config["responses"]["200"]["content"]["application/xml"]["schema"]["properties"]["jsapi_path_list"]["contentSchema"]
    assert paths["type"] == "object" and paths["properties"]["jsapi_path_list"]["type"] == "array"  # no example: the wrapper
