"""Identifiers and class names: snake/pascal case, escaping, collision resolution."""

from __future__ import annotations

import keyword

from hypothesis import given
from hypothesis import strategies as st

from generator.codegen.names import (
    ClassNames,
    candidates,
    argument,
    attribute,
    escape,
    is_identifier,
    pascal,
    snake,
    stems,
    unique,
)


def test_segments_become_snake_case_attributes() -> None:
    assert attribute("product-coupons") == "product_coupons"
    assert attribute("getTransferBill") == "get_transfer_bill"
    assert attribute("HTTPServer") == "http_server"
    assert attribute("2019-08") == "n2019_08"


def test_keywords_and_builtins_are_escaped_in_the_tree() -> None:
    assert attribute("global") == "global_"
    assert attribute("import") == "import_"
    assert attribute("id") == "id_"


def test_arguments_keep_identifiers_and_escape_keywords() -> None:
    assert argument("out_trade_no") == "out_trade_no"
    assert argument("subMchid") == "subMchid"
    assert argument("class") == "class_"
    assert argument("Idempotency-Key") == "idempotency_key"
    assert argument("timeout", {"timeout"}) == "timeout_"


def test_class_name_parts() -> None:
    assert pascal("TRANSACTION.SUCCESS") == "TransactionSuccess"
    assert pascal("{stock_id}") == "StockId"
    assert pascal("out-trade-no") == "OutTradeNo"


def test_collisions_get_a_rank_never_dropped() -> None:
    assert unique(["amount", "amount", "Amount", "Amount"]) == ["amount", "amount_2", "Amount", "Amount2"]


def test_class_names_are_unique_and_overridable() -> None:
    names = ClassNames({"JsapiPostResponse": "PrepayResponse"})
    assert names.claim("JsapiPostResponse") == "PrepayResponse"
    assert names.claim("PrepayResponse") == "PrepayResponse2"
    assert names.claim("Other") == "Other"


@given(st.text(max_size=30))
def test_any_text_gives_a_valid_identifier(text: str) -> None:
    for name in (attribute(text), argument(text), escape(snake(text))):
        assert is_identifier(name) and not keyword.iskeyword(name)
    assert pascal(text).isidentifier()


def test_a_stem_is_the_shortest_candidate_no_other_path_has() -> None:
    assert stems(["v3/pay/transactions/jsapi", "v3/combine/transactions/jsapi", "v3/pay/refunds"]) == {
        "v3/pay/transactions/jsapi": "PayTransactionsJsapi",
        "v3/combine/transactions/jsapi": "CombineTransactionsJsapi",
        "v3/pay/refunds": "Refunds",
    }


def test_a_collision_across_levels_qualifies_both_sides() -> None:
    # `v2/transactions` can only be `Transactions` (no short stem); `v3/pay/transactions` would be too
    assert stems(["v2/transactions", "v3/pay/transactions"]) == {
        "v2/transactions": "V2Transactions",
        "v3/pay/transactions": "PayTransactions",
    }


def test_paths_spelling_the_same_stem_are_ranked_among_themselves() -> None:
    assert stems(["v3/a-b", "v3/a_b", "v3/c"]) == {"v3/a-b": "V3AB", "v3/a_b": "V3AB2", "v3/c": "C"}


@given(st.lists(st.sampled_from(["v3", "v2", "pay", "orders", "out-trade-no", "{id}", "a-b", "a_b"]), min_size=1, max_size=4))
def test_a_stem_depends_only_on_the_paths_it_collides_with(extra: list[str]) -> None:
    """Adding a page changes a path's stem only when the page shares one of that path's candidates."""
    before = ["v3/pay/transactions/jsapi", "v3/discount-card/orders/out-trade-no/{id}", "v2/pay/orders"]
    added = "/".join(extra)
    after = stems([*before, added])
    for path, stem in stems(before).items():
        if path != added and not set(candidates(path)) & set(candidates(added)):
            assert after[path] == stem, (path, added)
    assert len(set(after.values())) == len(after)
    assert stems(reversed([*before, added])) == after
