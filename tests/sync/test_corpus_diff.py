"""`diff docs-2025-05 docs` on the real history: operations follow the page lists; sampled pages' field changes are
exactly the edits of their tables (read by hand from `diff -u` of the two pages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from generator.spec.diff import Change, Impact, diff_specs, summarize
from generator.workspace import Cache

B, N = Impact.BREAKING, Impact.NON_BREAKING
pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="session")
def history(corpus: Path, corpus_cache: Path) -> list[Change]:
    cache = Cache(corpus_cache)  # the corpus build's: both snapshots parsed already
    old, new = (pipeline.load_api(corpus / name, cache, jobs=2) for name in ("docs-2025-05", "docs"))
    changes = diff_specs(old, new)
    print(f"\ndiff docs-2025-05 docs: {summarize(changes)}")
    return changes


def documenting_pages(docs: Path) -> set[str]:
    """Pages that are not redirect stubs (`Moved to ...` with a meta refresh)."""
    pages = {p.relative_to(docs).as_posix(): p for p in docs.rglob("*.md")}
    return {name for name, path in pages.items() if "http-equiv: refresh" not in path.read_text(encoding="utf-8")}


def pages_of(changes: list[Change], kinds: tuple[str, ...]) -> set[str]:
    return {c.page for c in changes if c.kind in kinds}


def test_added_and_removed_operations_follow_the_page_lists(corpus: Path, history: list[Change]) -> None:
    old, new = documenting_pages(corpus / "docs-2025-05"), documenting_pages(corpus / "docs")
    added = pages_of(history, ("operation-added", "notification-added"))
    removed = pages_of(history, ("operation-removed", "notification-removed"))
    assert added == new - old
    assert removed == old - new  # three pages became redirect stubs; none was deleted


def test_counts(history: list[Change]) -> None:
    summary = summarize(history)
    assert (summary.operations_added, summary.operations_removed) == (318, 3)
    assert summary.breaking > 0 and summary.non_breaking > summary.breaking


# page -> every non-documentation change, in report order: (kind, impact, where, new value or None)
EXPECTED = {
    "openapi/v2/papay/h5entrustweb.md": [("field-added", B, "request query clientip", "string, required")],
    "openapi/v3/pay/transactions/h5.md": [
        ("enum-changed", N, "request body payer.identity.type", "+PHONE_NUMBER"),
    ],
    "openapi/v3/ecommerce/refunds/id/{refund_id}.md": [
        ("enum-changed", N, "response body amount.from[].account", '"AVAILABLE" | "UNAVAILABLE"'),
        ("enum-changed", B, "response body funds_account", "+BASIC +ECNY_BASIC +OPERATION"),
    ],
    "openapi/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{out_bill_no}.md": [
        ("enum-changed", N, "response body state", None),
        ("encryption-changed", B, "response body user_name", "by-rsa-pubkey"),
    ],
    "openapi/v3/profitsharing/orders/{out_order_no}.md": [
        ("required-changed", B, "request query transaction_id", "required"),
        ("enum-changed", N, "response body state", '"CLOSED" | "PENDING" | "SUCCESS"'),
        ("enum-changed", N, "response body receivers[].type", None),
        ("enum-changed", N, "response body receivers[].result", None),
        ("required-changed", B, "response body receivers[].fail_reason", "optional"),
    ],
    "openapi/v3/fund-app/mch-transfer/transfer-bills/transfer.md": [
        ("required-changed", N, "request body authorization_id", "optional"),
        ("field-added", N, "request body out_authorization_no", "string, optional"),
        ("field-removed", B, "request body openid", None),
    ],
    "openapi/v2/wxv/changerentmoney.md": [("type-changed", B, "request body compensation_fee", "integer")],
    "openapi/v3/global/papay/transactions/{transaction_id}.md": [
        ("field-added", N, "response body transaction_id", "string, required"),
        ("field-removed", B, "response body id", None),
    ],
}


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_field_changes_of_sampled_pages(history: list[Change], page: str) -> None:
    found = [c for c in history if c.page == page and c.impact is not Impact.DOCUMENTATION]
    assert [(c.kind, c.impact, c.where) for c in found] == [e[:3] for e in EXPECTED[page]]
    for change, (_, _, _, new) in zip(found, EXPECTED[page]):
        if new is not None and new.startswith("+"):  # enum values added
            assert all(f'"{value}"' in (change.new or "") for value in new[1:].split(" +"))
        elif new is not None:
            assert change.new == new


def test_transaction_success_notification(history: list[Change]) -> None:
    found = [
        c for c in history if c.page == "webhook/v3/TRANSACTION.SUCCESS.md" and c.impact is not Impact.DOCUMENTATION
    ]
    assert [(c.kind, c.impact, c.where) for c in found] == [
        ("enum-changed", N, "notification body resource.original_type"),
        ("field-added", N, "notification body resource.ciphertext.scene_info.installment_info"),
        ("field-added", N, "notification body resource.ciphertext.scene_info.installment_info.use_subsidy"),
        (
            "field-added",
            N,
            "notification body resource.ciphertext.scene_info.installment_info.selected_installment_number",
        ),
    ]
