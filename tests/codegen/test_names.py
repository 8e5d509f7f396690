"""Identifiers and class names: snake/pascal case, escaping, collision resolution."""

from __future__ import annotations

import keyword

from hypothesis import given
from hypothesis import strategies as st

from generator.codegen.names import ClassNames, argument, attribute, escape, is_identifier, pascal, snake, unique


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
