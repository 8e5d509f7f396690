"""Identifiers and class names: snake/pascal case, escaping, collision resolution, and a page's names the same in
every build."""

from __future__ import annotations

import keyword
import statistics
from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.codegen.model import Api, SpecModule, build_api
from generator.codegen.names import (
    ClassNames,
    argument,
    attribute,
    escape,
    is_identifier,
    is_placeholder,
    part,
    pascal,
    snake,
    stem,
    stems,
    unique,
)
from generator.codegen.options import GenerateOptions
from generator.spec.io import SpecFile, read_specs
from tests.conftest import ROOT


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
    names = ClassNames({"PayTransactionsJsapiPostResponse": "PrepayResponse", "EventSubOrdersAmount": "SubAmount"})
    assert names.claim("PayTransactionsJsapiPostResponse") == "PrepayResponse"
    assert names.claim("PrepayResponse") == "PrepayResponse2"
    assert names.claim("Other") == "Other"
    assert names.claim(part("Event", "amount")) == "EventAmount"
    assert names.claim(part(part("Event", "sub_orders"), "amount")) == "SubAmount"  # by the name it would have


def test_no_class_moves_into_the_name_of_one_renamed() -> None:
    names = ClassNames({"EventAmount": "Total"})
    assert names.claim(part("Event", "amount")) == "Total"
    assert names.claim(part(part("Event", "sub_orders"), "amount")) == "EventSubOrdersAmount"


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
    assert stem("v3/papay/contracts/harmony-plan-id/{plan_id}") == "PapayContractsHarmonyByPlanId"
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


# The pages a merchant starts with: an order, its query, a refund, the payment notification (all in the corpus).
MERCHANT_PAGES = (
    "v3/pay/transactions/jsapi",
    "v3/pay/transactions/out-trade-no/{out_trade_no}",
    "v3/refund/domestic/refunds",
    "webhooks/v3/TRANSACTION.SUCCESS",
)
# Their counterparts among the example pages (`examples/docs`), which the corpus has too.
EXAMPLE_PAGES = (
    "v3/pay/transactions/jsapi",
    "v3/pay/transactions/id/{transaction_id}",
    "v2/secapi/pay/refundv2",
    "webhooks/v3/TRANSACTION.SUCCESS",
    "webhooks/v2/refund-processed",
)


def _call_paths(module: SpecModule) -> set[str]:
    return {r.call_path for r in module.resources} | {f"webhooks/{e.api}/{e.event_type}" for e in module.events}


def class_names(api: Api, call_paths: Iterable[str]) -> dict[str, list[str]]:
    """Every class name of the modules documenting `call_paths`, by spec."""
    wanted = set(call_paths)
    return {
        m.source: [c.name for c in m.classes] + [r.class_name for r in m.resources]
        for m in api.modules
        if _call_paths(m) & wanted
    }


def operation_names(api: Api) -> dict[str, set[str]]:
    """Call path -> the names of its resource, its operations' arguments and answers, its notification."""
    named: dict[str, set[str]] = {}
    for m in api.modules:
        defined = {c.name for c in m.classes}
        for r in m.resources:
            answers = {op.returns for op in r.operations} & defined
            named.setdefault(r.call_path, set()).update(
                {r.class_name, *(op.params_class.name for op in r.operations), *answers}
            )
        for e in m.events:
            named.setdefault(f"webhooks/{e.api}/{e.event_type}", set()).add(e.class_name)
    return named


def names_alike_in_subsets(specs: list[SpecFile], built: Api, pages: tuple[str, ...]) -> set[str]:
    """The class names of `pages` in `built` (made from `specs`), once a build of those pages alone, and of each
    page alone, is seen to give them the same names."""
    named = class_names(built, pages)
    assert len(named) == len(set(pages))
    assert class_names(build_api(specs, GenerateOptions(include=pages)), pages) == named
    for page in pages:
        alone = class_names(build_api(specs, GenerateOptions(include=(page,))), [page])
        assert alone.items() <= named.items()
    return {name for names in named.values() for name in names}


def test_a_page_has_the_same_names_in_the_examples_build_and_in_any_subset() -> None:
    specs = read_specs(ROOT / "specs")
    names = names_alike_in_subsets(specs, build_api(specs, GenerateOptions()), EXAMPLE_PAGES)
    assert {"PayTransactionsJsapiPostResponse", "PayTransactionsByTransactionIdGetResponse"} <= names
    assert {"V2SecapiPayRefundv2PostParams", "TransactionSuccessEvent", "V2RefundProcessedEvent"} <= names


@pytest.mark.corpus
def test_a_page_has_the_same_names_in_the_corpus_a_subset_and_the_examples(
    corpus_specs: list[SpecFile], corpus_api: Api
) -> None:
    names = names_alike_in_subsets(corpus_specs, corpus_api, MERCHANT_PAGES + EXAMPLE_PAGES)
    assert {"PayTransactionsJsapiPostResponse", "PayTransactionsByOutTradeNoGetResponse"} <= names
    assert {"RefundDomesticRefundsPostResponse", "TransactionSuccessEvent"} <= names
    examples = operation_names(build_api(read_specs(ROOT / "specs"), GenerateOptions()))
    corpus = operation_names(corpus_api)
    assert examples == {path: corpus[path] for path in examples}


@pytest.mark.corpus
def test_names_stay_short_and_readable_on_the_corpus(corpus_api: Api) -> None:
    names = sorted({c.name for m in corpus_api.modules for c in m.classes}, key=len, reverse=True)
    print("\nthe longest of the corpus's", len(names), "class names:", *names[:10], sep="\n  ")
    assert len(names[0]) <= 140 and statistics.median(map(len, names)) <= 60
    assert not [name for name in names if "Unnamed" in name]
    spelled_twice = [
        op.call_path
        for op in corpus_api.operations
        for segment in op.call_path.split("/")
        if is_placeholder(segment) and f"{pascal(segment)}By{pascal(segment)}" in op.params_class.name
    ]
    assert not spelled_twice
