"""Classification of API changes on small hand-written spec pairs."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from generator.spec.diff import Change, Impact, diff_specs, render_json, render_markdown, render_text, summarize
from generator.spec.io import SpecFile

PATH = "/v3/pay/transactions/jsapi"
OP = f"POST {PATH}"


def jsapi(request: dict[str, Any] | None = None, response: dict[str, Any] | None = None, **extra: Any) -> SpecFile:
    """A one-operation page: a request body with `amount` and `payer`, a response with `prepay_id`."""
    request_schema = {
        "type": "object",
        "required": ["amount"],
        "properties": {
            "amount": {
                "type": "object",
                "required": ["total"],
                "properties": {
                    "total": {"type": "integer", "description": "总金额"},
                    "currency": {"type": "string", "enum": ["CNY", "USD"]},
                },
            },
            "payer": {
                "type": "object",
                "properties": {"name": {"type": "string", "x-wechatpay-encrypted": "by-rsa-pubkey"}},
            },
        },
    }
    response_schema = {
        "type": "object",
        "required": ["prepay_id"],
        "properties": {"prepay_id": {"type": "string"}, "state": {"type": "string", "enum": ["OK", "FAIL"]}},
    }
    operation = {
        "operationId": "v3PayTransactionsJsapiPost",
        "summary": "JSAPI下单",
        "x-wechatpay-api": "v3",
        "parameters": [
            {
                "name": "Wechatpay-Serial",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "x-wechatpay-client-filled": True,
            }
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": request or request_schema}}},
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": response or response_schema}}}
        },
        **extra,
    }
    return SpecFile(
        "openapi/v3/pay/transactions/jsapi",
        {"x-wechatpay-page": "openapi/v3/pay/transactions/jsapi.md", "paths": {PATH: {"post": operation}}},
    )


def edited(spec: SpecFile, edit: Any) -> SpecFile:
    data = copy.deepcopy(spec.data)
    edit(data["paths"][PATH]["post"])
    return SpecFile(spec.name, data)


def request_props(op: dict[str, Any]) -> dict[str, Any]:
    return op["requestBody"]["content"]["application/json"]["schema"]["properties"]


def response_props(op: dict[str, Any]) -> dict[str, Any]:
    return op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]


def changes_of(edit: Any) -> list[tuple[str, Impact, str, str | None, str | None]]:
    base = jsapi()
    return [(c.kind, c.impact, c.where, c.old, c.new) for c in diff_specs([base], [edited(base, edit)])]


def test_identical_specs_have_no_changes() -> None:
    assert diff_specs([jsapi()], [jsapi()]) == []


def test_new_optional_request_field_is_not_breaking() -> None:
    def edit(op: dict[str, Any]) -> None:
        request_props(op)["attach"] = {"type": "string"}

    assert changes_of(edit) == [("field-added", Impact.NON_BREAKING, "request body attach", None, "string, optional")]


def test_new_required_request_field_is_breaking() -> None:
    def edit(op: dict[str, Any]) -> None:
        request_props(op)["amount"]["properties"]["payer_currency"] = {"type": "string"}
        request_props(op)["amount"]["required"].append("payer_currency")

    assert changes_of(edit) == [
        ("field-added", Impact.BREAKING, "request body amount.payer_currency", None, "string, required")
    ]


def test_removed_response_field_is_breaking_and_added_one_is_not() -> None:
    def edit(op: dict[str, Any]) -> None:
        props = response_props(op)
        del props["state"]
        props["code_url"] = {"type": "string"}

    assert changes_of(edit) == [
        ("field-added", Impact.NON_BREAKING, "response body code_url", None, "string, optional"),
        ("field-removed", Impact.BREAKING, "response body state", 'string, optional, enum "FAIL" | "OK"', None),
    ]


def test_removed_request_field_and_its_children_are_breaking() -> None:
    def edit(op: dict[str, Any]) -> None:
        del request_props(op)["payer"]

    kinds = [(kind, impact, where) for kind, impact, where, _, _ in changes_of(edit)]
    assert kinds == [
        ("field-removed", Impact.BREAKING, "request body payer"),
        ("field-removed", Impact.BREAKING, "request body payer.name"),
    ]


def test_narrowed_request_enum_is_breaking_widened_is_not() -> None:
    def narrow(op: dict[str, Any]) -> None:
        request_props(op)["amount"]["properties"]["currency"]["enum"] = ["CNY"]

    def widen(op: dict[str, Any]) -> None:
        request_props(op)["amount"]["properties"]["currency"]["enum"] = ["CNY", "HKD", "USD"]

    assert changes_of(narrow) == [
        ("enum-changed", Impact.BREAKING, "request body amount.currency", '"CNY" | "USD"', '"CNY"')
    ]
    assert [c[:2] for c in changes_of(widen)] == [("enum-changed", Impact.NON_BREAKING)]


def test_widened_response_enum_is_breaking_narrowed_is_not() -> None:
    def widen(op: dict[str, Any]) -> None:
        response_props(op)["state"]["enum"] = ["FAIL", "OK", "PENDING"]

    def drop_enum(op: dict[str, Any]) -> None:
        del response_props(op)["state"]["enum"]

    def narrow(op: dict[str, Any]) -> None:
        response_props(op)["state"]["enum"] = ["OK"]

    assert [c[:2] for c in changes_of(widen)] == [("enum-changed", Impact.BREAKING)]
    assert [c[:2] for c in changes_of(drop_enum)] == [("enum-changed", Impact.BREAKING)]
    assert [c[:2] for c in changes_of(narrow)] == [("enum-changed", Impact.NON_BREAKING)]


def test_required_changes_depend_on_direction() -> None:
    def request_now_required(op: dict[str, Any]) -> None:
        request_props(op)["amount"]["required"].append("currency")

    def request_now_optional(op: dict[str, Any]) -> None:
        request_props(op)["amount"]["required"].clear()

    def response_now_optional(op: dict[str, Any]) -> None:
        op["responses"]["200"]["content"]["application/json"]["schema"]["required"] = []

    assert changes_of(request_now_required) == [
        ("required-changed", Impact.BREAKING, "request body amount.currency", "optional", "required")
    ]
    assert [c[:2] for c in changes_of(request_now_optional)] == [("required-changed", Impact.NON_BREAKING)]
    assert [c[:2] for c in changes_of(response_now_optional)] == [("required-changed", Impact.BREAKING)]


def test_type_and_encryption_changes_are_breaking() -> None:
    def edit(op: dict[str, Any]) -> None:
        request_props(op)["amount"]["properties"]["total"]["type"] = "string"
        del request_props(op)["payer"]["properties"]["name"]["x-wechatpay-encrypted"]

    assert changes_of(edit) == [
        ("type-changed", Impact.BREAKING, "request body amount.total", "integer", "string"),
        ("encryption-changed", Impact.BREAKING, "request body payer.name", "by-rsa-pubkey", None),
    ]


def test_a_field_becoming_a_json_string_changes_its_type() -> None:
    def edit(op: dict[str, Any]) -> None:
        request_props(op)["payer"] = {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {
                "type": "object",
                "properties": {"name": {"type": "string", "x-wechatpay-encrypted": "by-rsa-pubkey"}},
            },
        }

    assert changes_of(edit) == [("type-changed", Impact.BREAKING, "request body payer", "object", "json")]


def test_description_and_example_edits_are_documentation_only() -> None:
    def edit(op: dict[str, Any]) -> None:
        request_props(op)["amount"]["properties"]["total"]["description"] = "订单总金额，单位为分"
        op["summary"] = "JSAPI/小程序下单"
        op["externalDocs"] = {"url": "https://pay.weixin.qq.com/doc/v3/merchant/4012791856"}

    found = changes_of(edit)
    assert {impact for _, impact, _, _, _ in found} == {Impact.DOCUMENTATION}
    assert [where for _, _, where, _, _ in found] == ["summary", "link", "request body amount.total"]


def test_client_filled_header_added_is_not_breaking() -> None:
    def edit(op: dict[str, Any]) -> None:
        op["parameters"].append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
                "x-wechatpay-client-filled": True,
            }
        )

    assert [c[:3] for c in changes_of(edit)] == [("field-added", Impact.NON_BREAKING, "request header Idempotency-Key")]


def test_operation_traits() -> None:
    def needs_cert(op: dict[str, Any]) -> None:
        op["x-wechatpay-client-cert"] = True
        op["deprecated"] = True

    def becomes_multipart(op: dict[str, Any]) -> None:
        op["requestBody"]["content"] = {"multipart/form-data": op["requestBody"]["content"]["application/json"]}

    assert changes_of(needs_cert) == [
        ("operation-changed", Impact.BREAKING, "client certificate", None, "required"),
        ("operation-changed", Impact.NON_BREAKING, "deprecated", None, "yes"),
    ]
    assert changes_of(becomes_multipart) == [
        ("operation-changed", Impact.BREAKING, "request media type", "application/json", "multipart/form-data")
    ]


def test_path_parameter_rename_keeps_the_operation() -> None:
    def page(name: str) -> SpecFile:
        param = {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        op = {"parameters": [param], "responses": {"200": {"description": "OK"}}}
        return SpecFile("p", {"paths": {f"/v3/refunds/{{{name}}}": {"get": op}}})

    found = diff_specs([page("out_refund_no")], [page("refund_no")])
    assert [(c.kind, c.impact, c.operation, c.where) for c in found] == [
        ("field-added", Impact.BREAKING, "GET /v3/refunds/{refund_no}", "request path refund_no"),
        ("field-removed", Impact.BREAKING, "GET /v3/refunds/{refund_no}", "request path out_refund_no"),
    ]


def webhook(fields: dict[str, Any], required: list[str]) -> SpecFile:
    envelope = {"type": "object", "required": required, "properties": fields}
    op = {
        "operationId": "webhookTransactionSuccess",
        "requestBody": {"content": {"application/json": {"schema": envelope}}},
        "responses": {
            "200": {
                "description": "OK",
                "content": {
                    "application/json": {"schema": {"type": "object", "properties": {"code": {"type": "string"}}}}
                },
            }
        },
    }
    return SpecFile("webhook/v3/transaction", {"webhooks": {"TRANSACTION.SUCCESS": {"post": op}}})


def test_notification_fields_are_received_by_the_user() -> None:
    old = webhook({"id": {"type": "string"}, "summary": {"type": "string"}}, ["id", "summary"])
    new = webhook(
        {"id": {"type": "string"}, "event_type": {"type": "string"}, "summary": {"type": "string"}},
        ["id", "event_type"],
    )
    found = [(c.kind, c.impact, c.operation, c.where) for c in diff_specs([old], [new])]
    assert found == [
        ("field-added", Impact.NON_BREAKING, "webhook TRANSACTION.SUCCESS", "notification body event_type"),
        ("required-changed", Impact.BREAKING, "webhook TRANSACTION.SUCCESS", "notification body summary"),
    ]


def test_operations_and_notifications_added_and_removed() -> None:
    hook = webhook({"id": {"type": "string"}}, [])
    found = diff_specs([jsapi()], [hook])
    assert [(c.kind, c.impact, c.operation) for c in found] == [
        ("operation-removed", Impact.BREAKING, OP),
        ("notification-added", Impact.NON_BREAKING, "webhook TRANSACTION.SUCCESS"),
    ]
    assert summarize(found).operations_added == 1 and summarize(found).operations_removed == 1


def test_ids_are_stable_and_distinct() -> None:
    a = Change("field-added", Impact.BREAKING, OP, "p", "request body a")
    b = Change("field-added", Impact.BREAKING, OP, "p", "request body b", new="string, required")
    assert a.id == Change("field-added", Impact.NON_BREAKING, OP, "other", "request body a").id
    assert a.id != b.id and len(a.id) == 8


@pytest.fixture
def mixed() -> list[Change]:
    def edit(op: dict[str, Any]) -> None:
        request_props(op)["amount"]["required"].append("currency")
        response_props(op)["code_url"] = {"type": "string"}
        op["summary"] = "JSAPI | 小程序下单"

    base = jsapi()
    return diff_specs([base], [edited(base, edit)])


def test_text_report_lists_by_impact(mixed: list[Change]) -> None:
    text = render_text(mixed)
    assert text.splitlines()[0].endswith("1 breaking, 1 non-breaking, 1 documentation-only changes")
    assert "BREAKING (1)" in text and "NON-BREAKING (1)" in text and "DOCUMENTATION" not in text
    assert "DOCUMENTATION (1)" in render_text(mixed, show_docs=True)


def test_markdown_report_escapes_cells_and_folds_docs(mixed: list[Change]) -> None:
    markdown = render_markdown(mixed)
    assert "| 0 | 0 | 1 | 1 | 1 |" in markdown
    assert "<details><summary>Documentation-only edits (1)</summary>" in markdown
    assert f"`{OP}` request body amount.currency" in markdown


def test_json_report_round_trips(mixed: list[Change]) -> None:
    document = json.loads(render_json(mixed))
    assert document["summary"]["breaking"] == 1
    assert [c["id"] for c in document["changes"]] == [c.id for c in mixed]
