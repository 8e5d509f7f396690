"""Identifiers and class names: snake/pascal case, escaping, collision resolution."""

from __future__ import annotations

import keyword

from hypothesis import given
from hypothesis import strategies as st

from generator.codegen.names import (
    ClassNames,
    argument,
    attribute,
    escape,
    is_identifier,
    part,
    pascal,
    snake,
    stem,
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
    names = ClassNames({"PayTransactionsJsapiPostResponse": "PrepayResponse"})
    assert names.claim("PayTransactionsJsapiPostResponse") == "PrepayResponse"
    assert names.claim("PrepayResponse") == "PrepayResponse2"
    assert names.claim("Other") == "Other"


def test_a_schema_part_is_named_after_its_field_and_takes_more_fields_only_when_taken() -> None:
    names = ClassNames()
    response = "PayTransactionsByTransactionIdGetResponse"
    detail = part(response, "promotion_detail")
    assert names.claim(detail) == "PayTransactionsByTransactionIdGetResponsePromotionDetail"
    assert names.claim(part(detail, "goods_detail")) == "PayTransactionsByTransactionIdGetResponseGoodsDetail"
    again = part(part(response, "refund_detail"), "goods_detail")
    assert names.claim(again) == "PayTransactionsByTransactionIdGetResponseRefundDetailGoodsDetail"
    assert names.claim(part(response, "goods_detail")) == "PayTransactionsByTransactionIdGetResponseGoodsDetail2"


@given(st.text(max_size=30))
def test_any_text_gives_a_valid_identifier(text: str) -> None:
    for name in (attribute(text), argument(text), escape(snake(text))):
        assert is_identifier(name) and not keyword.iskeyword(name)
    assert pascal(text).isidentifier()


def test_a_stem_is_the_call_path_without_v3_and_with_path_parameters_read_by() -> None:
    assert stem("v3/pay/transactions/jsapi") == "PayTransactionsJsapi"
    assert stem("v3/pay/transactions/out-trade-no/{out_trade_no}/close") == "PayTransactionsByOutTradeNoClose"
    assert stem("v3/pay/transactions/id/{transaction_id}") == "PayTransactionsByTransactionId"
    assert stem("v3/marketing/favor/stocks/{stock_id}/pause") == "MarketingFavorStocksByIdPause"
    assert stem("v3/transfer/batches/{batch_id}") == "TransferBatchesById"
    assert stem("v3/marketing/favor/users/{openid}/coupons") == "MarketingFavorUsersByOpenidCoupons"
    assert stem("v3/ecommerce/applyments/") == "EcommerceApplyments"  # a trailing slash adds nothing


def test_other_versions_keep_their_word_and_events_are_named_by_event_type() -> None:
    assert stem("v2/pay/orderquery") == "V2PayOrderquery"
    assert stem("webhooks/v3/TRANSACTION.SUCCESS") == "TransactionSuccess"
    assert stem("webhooks/v2/refund-processed") == "V2RefundProcessed"
    assert stem("webhooks/v2/TRANSACTION.SUCCESS") == "V2TransactionSuccess"


def test_paths_spelling_the_same_stem_are_ranked_among_themselves() -> None:
    assert stems(["v3/a-b", "v3/a_b", "v3/c"]) == {"v3/a-b": "AB", "v3/a_b": "AB2", "v3/c": "C"}


PATH_SEGMENTS = ["v3", "v2", "pay", "orders", "out-trade-no", "{out_trade_no}", "{id}", "a-b", "a_b", ""]


@given(st.lists(st.lists(st.sampled_from(PATH_SEGMENTS), min_size=1, max_size=4).map("/".join), max_size=6))
def test_a_stem_depends_on_no_other_path_but_those_spelling_it_too(others: list[str]) -> None:
    """Whatever pages come, a path keeps its own stem unless another path spells the very same one."""
    paths = ["v3/pay/transactions/jsapi", "v3/discount-card/orders/out-trade-no/{out_trade_no}", "v2/pay/orders"]
    chosen = stems([*paths, *others])
    for path in paths:
        if not any(stem(other) == stem(path) for other in others if other != path):
            assert chosen[path] == stem(path)
    assert len(set(chosen.values())) == len(chosen)
    assert stems(reversed([*paths, *others])) == chosen
