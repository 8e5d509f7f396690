"""Spec forms for what the wire carries but the table writes otherwise: numbered key families (`coupon_id_$n`),
either-or request fields, and JSON strings holding one array (bare, or in an object: settled by evidence)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from generator.spec.build import PageResult, json_string_evidence, parse_page
from generator.spec.schema import JsonStringEvidence
from tests.conftest import EXAMPLES


def page(request_rows: str, response_rows: str = "| return_code {data-required} | string | 结果", php: str = "", title: str = "一个接口", description: str = "说明") -> str:
    fence = f"```php [同步声明式]\n$response = $instance->chain('v2/x')->post([\n{php}\n]);\n```\n" if php else ""
    return (
        f"---\ntitle: {title}\ndescription: {description}\n---\n\n# {{{{ $frontmatter.title }}}} {{#post}}\n\n"
        "{{ $frontmatter.description }}\n\n"
        f"| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n{request_rows}\n\n{{.im-table #request}}\n\n{fence}\n"
        f"| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}\n| --- | --- | ---\n{response_rows}\n\n{{.im-table #response}}\n"
    )


def parse(tmp_path: Path, text: str, name: str = "openapi/v2/x.md", evidence: JsonStringEvidence = JsonStringEvidence()) -> PageResult:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return parse_page(tmp_path, name, evidence)


def operation(result: PageResult) -> dict[str, Any]:
    assert result.spec is not None
    (item,) = result.spec["paths"].values()
    return dict(item["post"])


def request_schema(result: PageResult) -> dict[str, Any]:
    content = operation(result)["requestBody"]["content"]
    return dict(next(iter(content.values()))["schema"])


def response_schema(result: PageResult) -> dict[str, Any]:
    content = operation(result)["responses"]["200"]["content"]
    return dict(next(iter(content.values()))["schema"])


def codes(result: PageResult, code: str) -> list[str]:
    return [f"{d.line}: {d.message}" for d in result.diagnostics if d.code == code]


XML = "| xml {data-required} | object | 请求体"


# ------------------------------------------------------------------------------------------ numbered families


def test_numbered_rows_are_pattern_properties_keyed_by_an_anchored_regex(tmp_path: Path) -> None:
    rows = "\n".join([
        "| return_code {data-required} | string | 结果",
        "| refund_count {data-required} | integer | 退款笔数",
        "| out_refund_no_$n {data-required} | string | 第n笔的退款单号",
        "| coupon_refund_id_$n_$m | string | 第n笔退款里第m张券<br/>`A` \\| `B` 枚举值之一",
    ])
    result = parse(tmp_path, page(f"{XML}\n| appid {{data-required data-indent=1}} | string | 应用", rows))
    schema = response_schema(result)
    assert schema["required"] == ["return_code", "refund_count"]
    assert list(schema["properties"]) == ["return_code", "refund_count"]
    families = schema["patternProperties"]
    assert families["^out_refund_no_(0|[1-9][0-9]*)$"] == {"type": "string", "description": "第n笔的退款单号", "x-wechatpay-indexed": "out_refund_no_$n"}
    coupon = families["^coupon_refund_id_(0|[1-9][0-9]*)_(0|[1-9][0-9]*)$"]
    assert coupon["enum"] == ["A", "B"] and coupon["x-wechatpay-indexed"] == "coupon_refund_id_$n_$m"
    assert re.search(next(iter(families)), "out_refund_no_12") and not re.search(next(iter(families)), "out_refund_no_01")
    assert len(codes(result, "indexed-field")) == 2 and "out_refund_no_0" in codes(result, "indexed-field")[0]
    assert not any(d.dropped for d in result.diagnostics)


def test_a_request_example_of_a_numbered_key_matches_its_family(tmp_path: Path) -> None:
    rows = f"{XML}\n| appid {{data-required data-indent=1}} | string | 应用\n| goods_id_$n {{data-indent=1}} | string | 第n件商品"
    result = parse(tmp_path, page(rows, php="  'xml' => ['appid' => 'wx1', 'goods_id_0' => 'G0'],"))
    assert "patternProperties" in request_schema(result)
    assert codes(result, "example-mismatch") == []


# ------------------------------------------------------------------------------------------ either-or


def test_text_marker_makes_an_any_of_and_keeps_the_rest_required(tmp_path: Path) -> None:
    rows = "\n".join([
        XML,
        "| mch_id {data-required data-indent=1} | string | 商户号",
        "| transaction_id {data-required data-indent=1} | string | 平台单号，和`out_trade_no`二选一",
        "| out_trade_no {data-required data-indent=1} | string | 商户单号",
    ])
    result = parse(tmp_path, page(rows))
    schema = request_schema(result)
    assert schema["anyOf"] == [{"required": ["transaction_id"]}, {"required": ["out_trade_no"]}]
    assert "transaction_id" not in schema["required"] and "mch_id" in schema["required"]
    (found,) = codes(result, "either-or")
    assert found.startswith("14: ") and "`二选一` in `transaction_id`" in found


def test_rows_marked_without_names_are_one_group_and_section_text_names_another(tmp_path: Path) -> None:
    rows = "\n".join([
        "| json {data-required} | object | 请求体",
        "| openid {data-indent=1} | string | 用户标识，任选其一",
        "| phone {data-indent=1} | string | 手机号，任选其一",
        "| card_no {data-required data-indent=1} | string | 卡号",
        "| member_no {data-required data-indent=1} | string | 会员号",
    ])
    result = parse(tmp_path, page(rows, description="card_no 与 member_no 至少填一个。"), "openapi/v3/x.md")
    schema = request_schema(result)
    assert schema["allOf"] == [
        {"anyOf": [{"required": ["openid"]}, {"required": ["phone"]}]},
        {"anyOf": [{"required": ["card_no"]}, {"required": ["member_no"]}]},
    ]
    assert "required" not in schema
    assert any("the section's text" in found for found in codes(result, "either-or"))


@pytest.mark.parametrize("marker", ["二选一", "两者选其一", "任选其一", "两者必填其一", "三选一", "四选一", "至少填一个", "至少提供其中一个"])
def test_choice_markers_alone_pair_the_rows_so_marked(tmp_path: Path, marker: str) -> None:
    rows = f"{XML}\n| openid {{data-indent=1}} | string | 用户标识，{marker}\n| phone {{data-indent=1}} | string | 手机号，{marker}"
    assert request_schema(parse(tmp_path, page(rows)))["anyOf"] == [{"required": ["openid"]}, {"required": ["phone"]}]


def test_one_of_the_values_names_no_alternative(tmp_path: Path) -> None:
    """`其中之一` also says "one of these values": without sibling names it is no group."""
    rows = f"{XML}\n| scene {{data-indent=1}} | string | 取下列场景其中之一\n| channel {{data-indent=1}} | string | 取下列渠道其中之一"
    result = parse(tmp_path, page(rows))
    assert "anyOf" not in request_schema(result) and codes(result, "either-or") == []


def test_refund_query_ids_are_one_group_in_priority_order(tmp_path: Path) -> None:
    names = ["transaction_id", "out_trade_no", "out_refund_no", "refund_id"]
    rows = "\n".join([XML, *(f"| {n} {{data-required data-indent=1}} | string | 编号" for n in names)])
    schema = request_schema(parse(tmp_path, page(rows)))
    assert schema["anyOf"] == [{"required": [n]} for n in ("refund_id", "out_refund_no", "transaction_id", "out_trade_no")]


def test_refund_creation_keeps_its_refund_number_required(tmp_path: Path) -> None:
    names = ["transaction_id", "out_trade_no", "out_refund_no"]
    rows = "\n".join([XML, *(f"| {n} {{data-required data-indent=1}} | string | 编号" for n in names)])
    result = parse(tmp_path, page(rows))
    schema = request_schema(result)
    assert schema["anyOf"] == [{"required": ["transaction_id"]}, {"required": ["out_trade_no"]}]
    assert "out_refund_no" in schema["required"]
    assert "order identifiers" in codes(result, "either-or")[0]


def test_merged_merchant_modes_are_two_alternatives(tmp_path: Path) -> None:
    rows = "\n".join([
        "| json {data-required} | object | 请求体",
        "| mchid {data-required data-indent=1} | string | 商户号",
        "| appid {data-required data-indent=1} | string | 应用",
        "| sub_mchid {data-required data-indent=1} | string | 子商户号",
        "| sp_mchid {data-required data-indent=1} | string | 机构商户号",
        "| sp_appid {data-required data-indent=1} | string | 机构应用",
        "| sub_appid {data-indent=1} | string | 子应用",
        "| description {data-required data-indent=1} | string | 描述",
    ])
    schema = request_schema(parse(tmp_path, page(rows), "openapi/v3/x.md"))
    assert schema["anyOf"] == [{"required": ["mchid", "appid"]}, {"required": ["sp_mchid", "sp_appid", "sub_mchid"]}]
    assert schema["required"] == ["description"]


def test_query_alternatives_lose_required_and_the_operation_lists_them(tmp_path: Path) -> None:
    rows = "\n".join([
        "| query {data-required} | object | 查询参数",
        "| mchid {data-required data-indent=1} | string | 商户号",
        "| sp_mchid {data-required data-indent=1} | string | 机构商户号",
        "| sub_mchid {data-required data-indent=1} | string | 子商户号",
        "| limit {data-required data-indent=1} | integer | 条数",
    ])
    op = operation(parse(tmp_path, page(rows), "openapi/v3/x.md"))
    assert op["x-wechatpay-either-or"] == [["mchid"], ["sp_mchid", "sub_mchid"]]
    assert {p["name"]: p["required"] for p in op["parameters"]} == {"mchid": False, "sp_mchid": False, "sub_mchid": False, "limit": True}


def test_responses_and_a_single_required_identifier_have_no_groups(tmp_path: Path) -> None:
    rows = f"{XML}\n| out_trade_no {{data-required data-indent=1}} | string | 商户单号"
    response = "| transaction_id {data-required} | string | 平台单号\n| out_trade_no {data-required} | string | 商户单号"
    result = parse(tmp_path, page(rows, response))
    assert "anyOf" not in request_schema(result) and "anyOf" not in response_schema(result)
    assert codes(result, "either-or") == []


def test_the_example_order_query_says_either_or() -> None:
    result = parse_page(EXAMPLES, "openapi/v2/pay/orderquery.md")
    schema = request_schema(result)
    assert schema["anyOf"] == [{"required": ["transaction_id"]}, {"required": ["out_trade_no"]}]
    assert "^coupon_id_(0|[1-9][0-9]*)$" in response_schema(result)["patternProperties"]


# ------------------------------------------------------------------------------------------ JSON strings holding one array

STRING = "| receivers {data-indent=1} | string {data-encoded=by-json_encode} | 接收方`JSON`\n| {colspan=3 .im-table-line}\n"
ARRAY = "| receiver {data-required data-indent=2} | object[] | 接收方列表\n| account {data-required data-indent=3} | string | 账号"


def inside(result: PageResult) -> dict[str, Any]:
    return dict(request_schema(result)["properties"]["receivers"]["contentSchema"])


def test_own_example_of_a_bare_array_decides(tmp_path: Path) -> None:
    php = "  'xml' => ['receivers' => \\json_encode([['account' => 'a1']])],"
    result = parse(tmp_path, page(f"{XML}\n{STRING}{ARRAY}", php=php))
    schema = inside(result)
    assert schema["type"] == "array" and list(schema["items"]["properties"]) == ["account"]
    assert codes(result, "json-string-shape") == ["13: JSON string `receivers` holds the bare `receiver` array (own example)"]


def test_without_any_example_the_string_holds_an_object_with_the_array(tmp_path: Path) -> None:
    result = parse(tmp_path, page(f"{XML}\n{STRING}{ARRAY}"))
    schema = inside(result)
    assert schema["type"] == "object" and schema["properties"]["receiver"]["type"] == "array"
    assert codes(result, "json-string-shape") == ["13: JSON string `receivers` holds an object with the `receiver` array (default)"]


def test_a_sibling_page_example_decides_where_the_page_has_none(tmp_path: Path) -> None:
    php = "  'xml' => ['receivers' => \\json_encode([['account' => 'a1']])],"
    pages = {"openapi/v2/a.md": page(f"{XML}\n{STRING}{ARRAY}", php=php), "openapi/v2/b.md": page(f"{XML}\n{STRING}{ARRAY}")}
    evidence = json_string_evidence({name: text.encode() for name, text in pages.items()})
    assert evidence.find("receivers/receiver") == ("openapi/v2/a.md", True)
    result = parse(tmp_path, pages["openapi/v2/b.md"], "openapi/v2/b.md", evidence)
    assert inside(result)["type"] == "array"
    assert codes(result, "json-string-shape") == ["13: JSON string `receivers` holds the bare `receiver` array (sibling page openapi/v2/a.md)"]


def test_the_example_order_query_promotion_detail_is_the_wrapper() -> None:
    schema = response_schema(parse_page(EXAMPLES, "openapi/v2/pay/orderquery.md"))["properties"]["promotion_detail"]["contentSchema"]
    assert schema["required"] == ["promotion_detail"] and schema["properties"]["promotion_detail"]["type"] == "array"


def test_only_pages_with_a_json_string_depend_on_the_evidence() -> None:
    evidence = JsonStringEvidence((("receivers/receiver", "openapi/v2/a.md", True),))
    assert evidence.cache_key(b"| appid | string | plain page") == ""
    with_string = page(f"{XML}\n{STRING}{ARRAY}").encode()
    assert evidence.cache_key(with_string) != JsonStringEvidence().cache_key(with_string)
