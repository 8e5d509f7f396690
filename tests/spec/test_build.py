"""Pages → specs, on the project's own example pages: each dialect construct lands where it belongs."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from generator.spec.build import parse_docs, url_of
from generator.spec.bundle import bundle
from generator.spec.io import dump_yaml
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def specs() -> dict[str, dict[str, Any]]:
    result = parse_docs(EXAMPLES)
    assert not [d for d in result.diagnostics if d.level.value == "error"]
    return {spec.name: spec.data for spec in result.specs}


def operation(specs: dict[str, dict[str, Any]], page: str, method: str) -> dict[str, Any]:
    (item,) = specs[page]["paths"].values()
    return item[method]


@pytest.mark.parametrize(
    ("page", "url", "version"),
    [
        ("openapi/v3/pay/transactions/jsapi.md", "/v3/pay/transactions/jsapi", "v3"),
        ("openapi/v2/pay/unifiedorder.md", "/pay/unifiedorder", "v2"),
        ("openapi/v3/ecommerce/applyments/index.md", "/v3/ecommerce/applyments/", "v3"),
        ("openapi/v3/pay/transactions/id/{transaction_id}.md", "/v3/pay/transactions/id/{transaction_id}", "v3"),
    ],
)
def test_the_page_path_is_the_url(page: str, url: str, version: str) -> None:
    assert url_of(page) == (url, version)


def test_json_body_nests_types_enums_and_markers(specs: dict[str, dict[str, Any]]) -> None:
    op = operation(specs, "openapi/v3/pay/transactions/jsapi", "post")
    body = op["requestBody"]["content"]["application/json"]
    schema = body["schema"]
    assert schema["properties"]["amount"]["properties"]["total"]["type"] == "integer"
    assert "amount" in schema["required"]
    payer = schema["properties"]["payer"]["properties"]
    encrypted = [k for k, v in payer["identity"]["properties"].items() if v.get("x-wechatpay-encrypted") == "by-rsa-pubkey"]
    assert encrypted
    integer_enums = [v["enum"] for v in _walk(schema) if v.get("type") == "integer" and "enum" in v]
    assert integer_enums and all(isinstance(x, int) for e in integer_enums for x in e)
    assert body["example"]["amount"]["total"] > 0
    serial = next(p for p in op["parameters"] if p["name"] == "Wechatpay-Serial")
    assert serial["in"] == "header" and serial["x-wechatpay-client-filled"]


def test_path_and_query_parameters(specs: dict[str, dict[str, Any]]) -> None:
    op = operation(specs, "openapi/v3/pay/transactions/id/{transaction_id}", "get")
    locations = {(p["name"], p["in"]) for p in op["parameters"]}
    assert ("transaction_id", "path") in locations and any(loc == "query" for _, loc in locations)


def test_path_variable_documented_under_query_is_a_path_parameter(specs: dict[str, dict[str, Any]]) -> None:
    op = operation(specs, "openapi/v3/merchant/fund/withdraw/bill-type/{bill_type}", "get")
    bill_type = next(p for p in op["parameters"] if p["name"] == "bill_type")
    assert bill_type["in"] == "path" and bill_type["required"]


def test_mix_page_has_every_method(specs: dict[str, dict[str, Any]]) -> None:
    (item,) = specs["openapi/v3/merchant-service/complaint-notifications"]["paths"].values()
    assert {"get", "post", "put", "delete"} <= set(item)
    assert "204" in item["delete"]["responses"]


def test_multipart_upload_has_a_binary_file_and_a_json_meta(specs: dict[str, dict[str, Any]]) -> None:
    op = operation(specs, "openapi/v3/merchant/media/upload", "post")
    schema = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["file"] == {"type": "string", "format": "binary", "description": schema["properties"]["file"]["description"]}
    meta = schema["properties"]["meta"]
    assert meta["contentMediaType"] == "application/json" and "sha256" in meta["contentSchema"]["properties"]


def test_download_redirect_and_empty_responses(specs: dict[str, dict[str, Any]]) -> None:
    download = operation(specs, "openapi/v3/billdownload/file", "get")["responses"]["200"]
    assert download["x-wechatpay-unsigned"] and next(iter(download["content"].values()))["schema"]["format"] == "binary"
    assert "302" in operation(specs, "openapi/v2/papay/entrustweb", "get")["responses"]
    assert "204" in operation(specs, "openapi/v3/pay/transactions/out-trade-no/{out_trade_no}/close", "post")["responses"]


def test_apiv2_xml_with_client_options_and_protocol_fields(specs: dict[str, dict[str, Any]]) -> None:
    op = operation(specs, "openapi/v2/secapi/pay/refundv2", "post")
    assert op["x-wechatpay-client-cert"] is True
    schema = op["requestBody"]["content"]["application/xml"]["schema"]
    for name in ("nonce_str", "sign"):
        assert schema["properties"][name]["x-wechatpay-client-filled"] and name in schema["required"]
    json_strings = [v for v in _walk(schema) if v.get("contentMediaType") == "application/json"]
    assert json_strings and all("contentSchema" in v for v in json_strings)
    nonceless = operation(specs, "openapi/v2/papay/querycontract", "post")
    assert nonceless["x-wechatpay-nonceless"] and "nonce_str" not in nonceless["requestBody"]["content"]["application/xml"]["schema"]["properties"]


def test_text_examples_take_their_schema_type_where_the_wire_is_text(specs: dict[str, dict[str, Any]]) -> None:
    xml = operation(specs, "openapi/v2/papay/querycontract", "post")["requestBody"]["content"]["application/xml"]
    assert xml["example"]["plan_id"] == 20481  # written '20481' in APIv2 XML: the same text on the wire
    assert xml["example"]["contract_id"] == "201905180000123456"  # a string field keeps its text
    query = {p["name"]: p["example"] for p in operation(specs, "openapi/v3/global/settle/settlements", "get")["parameters"]}
    assert query["limit"] == 20 and query["offset"] == 0  # '20' in a URL is 20
    entrust = operation(specs, "openapi/v2/papay/entrustweb", "get")
    sign = next(p for p in entrust["parameters"] if p["name"] == "sign")
    assert sign["x-wechatpay-client-filled"]  # the client signs the query of a body-less APIv2 operation


def test_upper_case_uri_keeps_the_page_spelling(specs: dict[str, dict[str, Any]]) -> None:
    (path,) = specs["openapi/v2/secapi/mch/queryInstitutionsub"]["paths"]
    assert path == "/secapi/mch/queryInstitutionsub"
    op = specs["openapi/v2/secapi/mch/queryInstitutionsub"]["paths"][path]["post"]
    assert all(p["in"] != "path" for p in op.get("parameters", []))


def test_base_url_and_deprecation(specs: dict[str, dict[str, Any]]) -> None:
    assert operation(specs, "openapi/v3/global/settle/settlements", "get")["x-wechatpay-base-url"].startswith("https://apihk.")
    assert operation(specs, "openapi/v3/discount-card/orders/out-trade-no/{out_trade_no}", "get")["deprecated"] is True


def test_variants_are_one_of(specs: dict[str, dict[str, Any]]) -> None:
    op = operation(specs, "openapi/v3/med-ins/orders", "post")
    assert any("oneOf" in v for v in _walk(op["requestBody"]["content"]["application/json"]["schema"]))


def test_webhooks_carry_event_headers_envelope_resource_and_reply(specs: dict[str, dict[str, Any]]) -> None:
    hook = specs["webhook/v3/TRANSACTION.SUCCESS"]["webhooks"]["TRANSACTION.SUCCESS"]["post"]
    assert {p["name"] for p in hook["parameters"]} >= {"Wechatpay-Signature", "Wechatpay-Timestamp"}
    envelope = hook["requestBody"]["content"]["application/json"]["schema"]
    ciphertext = envelope["properties"]["resource"]["properties"]["ciphertext"]
    assert ciphertext["x-wechatpay-encrypted"] == "by-aes-gcm" and ciphertext["contentSchema"]["properties"]
    assert "content" in hook["responses"]["200"]
    refund = specs["webhook/v2/refund-processed"]["webhooks"]["v2/refund-processed"]["post"]
    assert any(v.get("x-wechatpay-encrypted") == "by-aes-ecb" for v in _walk(refund["requestBody"]["content"]["application/xml"]["schema"]))


def test_metadata(specs: dict[str, dict[str, Any]]) -> None:
    op = operation(specs, "openapi/v3/pay/transactions/jsapi", "post")
    assert op["summary"] and op["externalDocs"]["url"].startswith("https://") and op["operationId"] == "postV3PayTransactionsJsapi"
    assert "<br" not in op.get("description", "") and "`" not in op.get("description", "")


def test_redirect_stub_has_no_operation_and_no_error() -> None:
    result = parse_docs(EXAMPLES)
    assert "openapi/v3/pay/transactions/out-trade-no/{out_trade_no}/closing" not in {s.name for s in result.specs}
    assert not [d for d in result.diagnostics if "closing" in d.file]


def test_bundle_is_valid_openapi_31_and_deterministic() -> None:
    first = parse_docs(EXAMPLES)
    second = parse_docs(EXAMPLES)
    document = bundle(first.specs)
    validate(document)
    assert dump_yaml(document) == dump_yaml(bundle(second.specs))


def _walk(schema: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        found.append(schema)
        for value in schema.values():
            found.extend(_walk(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_walk(value))
    return found
