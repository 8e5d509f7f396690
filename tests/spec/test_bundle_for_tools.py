"""The bundle as standard tools read it: YAML that reads alike under YAML 1.1 and 1.2, every object schema a named
component, the client's media types and hosts, the security schemes, APIv3's error answer, `anyOf` where variants
overlap, examples that fit their schema, and no linter errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from ruamel.yaml import YAML

from generator.docs.cells import Attrs
from generator.docs.rows import Field
from generator.spec.bundle import CLIENT_CERT, ERROR, FILLED_BY_CLIENT, V3_AUTH, bundle
from generator.spec.io import SpecFile, dump_yaml, read_specs
from generator.spec.schema import SchemaContext, field_schema
from tests.conftest import ROOT
from tests.spec.linters import lint_errors, require_linters

# Strings some YAML reader takes for another type when written plain.
TRICKY = ["075512345678", "4200000000000000000000000000", "0x1F", "0o17", "0b101", "1e5", "1E-3", ".5", "1_000",
          "+1", "-0", ".inf", ".NaN", "yes", "No", "on", "OFF", "y", "N", "~", "null", "true", "2018-06-08",
          "2018-06-08T10:34:56+08:00", "12:30:45", "1.0", "0755"]  # fmt: skip


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return bundle(read_specs(ROOT / "specs"))


def read_as_yaml_12(text: str) -> Any:
    reader = YAML(typ="safe", pure=True)
    reader.version = (1, 2)
    return reader.load(text)


def test_strings_stay_strings_under_yaml_1_2() -> None:
    data = {"values": TRICKY, "keys": {value: value for value in TRICKY}, "numbers": [0, -7, 10**28, 1.5, 1e20]}
    text = dump_yaml(data)
    assert yaml.safe_load(text) == data
    assert read_as_yaml_12(text) == data


def test_the_specs_and_the_bundle_read_alike_under_yaml_1_1_and_1_2(document: dict[str, Any]) -> None:
    for spec in read_specs(ROOT / "specs"):
        text = dump_yaml(spec.data)
        assert read_as_yaml_12(text) == yaml.safe_load(text), spec.name
    text = dump_yaml(document)
    assert read_as_yaml_12(text) == yaml.safe_load(text) == json.loads(json.dumps(document))


def test_every_object_schema_is_a_named_component(document: dict[str, Any]) -> None:
    validate(document)
    schemas = document["components"]["schemas"]
    inline = [
        where for where, schema in _schemas(document) if schema.get("type") == "object" and "properties" in schema
    ]
    assert [where for where in inline if not where.startswith("components.schemas.")] == []
    assert "PostV3PayTransactionsJsapiRequest" in schemas
    amount = schemas["PostV3PayTransactionsJsapiRequest"]["properties"]["amount"]
    assert amount == {"$ref": "#/components/schemas/PostV3PayTransactionsJsapiRequestAmount"}
    assert max(len(name) for name in schemas) < 150  # generators write a file per model: names fit a file name


def test_names_come_from_the_operation_and_the_shortest_free_field_path() -> None:
    item = {"type": "object", "properties": {"id": {"type": "string"}}}
    body = {"type": "object", "properties": {"a": {"type": "object", "properties": {"item": item}}, "item": item}}
    other = {"type": "object", "properties": {"b": {"type": "object", "properties": {"item": {**item, "title": "x"}}}}}
    body["properties"]["b"] = other["properties"]["b"]
    operation = {"operationId": "postV3Things", "requestBody": {"content": {"application/json": {"schema": body}}}}
    document = bundle([SpecFile("openapi/v3/things", {"paths": {"/v3/things": {"post": operation}}})])
    schemas = document["components"]["schemas"]
    assert set(schemas) == {ERROR, "PostV3ThingsRequest", "PostV3ThingsRequestA", "PostV3ThingsRequestItem",
                            "PostV3ThingsRequestB", "PostV3ThingsRequestBItem"}  # fmt: skip
    request = schemas["PostV3ThingsRequest"]["properties"]
    assert request["item"] == schemas["PostV3ThingsRequestA"]["properties"]["item"]  # identical: one name
    assert "properties" in body["properties"]["a"]  # the spec itself keeps its schemas inline


def test_the_wire_in_openapi_words(document: dict[str, Any]) -> None:
    operations = {op["operationId"]: op for item in document["paths"].values() for op in item.values()}
    jsapi, v2 = operations["postV3PayTransactionsJsapi"], operations["postPayOrderquery"]
    assert jsapi["security"] == [{V3_AUTH: []}]
    assert jsapi["responses"]["4XX"] == jsapi["responses"]["5XX"] == {"$ref": f"#/components/responses/{ERROR}"}
    assert list(v2["requestBody"]["content"]) == ["text/xml"]  # what the runtime sends
    assert "4XX" not in v2["responses"] and v2["security"] in ([], [{CLIENT_CERT: []}])
    error = document["components"]["schemas"][ERROR]
    assert list(error["properties"]) == ["code", "message", "detail"]
    assert document["components"]["securitySchemes"][V3_AUTH]["scheme"] == "WECHATPAY2-SHA256-RSA2048"
    assert all(item["post"]["security"] == [] for item in document["webhooks"].values())
    used = {
        tag
        for item in [*document["paths"].values(), *document["webhooks"].values()]
        for op in item.values()
        for tag in op["tags"]
    }
    assert [tag["name"] for tag in document["tags"]] == sorted(used)
    assert {"title", "version", "description", "contact"} <= set(document["info"])


def test_other_hosts_become_servers_of_their_operations(document: dict[str, Any]) -> None:
    hosted = [op for item in document["paths"].values() for op in item.values() if op.get("x-wechatpay-base-url")]
    assert hosted
    for operation in hosted:
        assert operation["servers"] == [{"url": operation["x-wechatpay-base-url"].rstrip("/")}]


def test_overlapping_variants_are_any_of_and_disjoint_ones_stay_one_of() -> None:
    def variants(*types: str) -> dict[str, Any]:
        return {
            "oneOf": [
                {"type": "object", "properties": {"k": {"type": kind}}} if kind == "object" else {"type": kind}
                for kind in types
            ]
        }

    properties = {
        "overlap": variants("object", "object"),
        "numbers": variants("integer", "number"),
        "apart": variants("string", "integer"),
    }
    schema = {"type": "object", "properties": properties}
    operation = {"operationId": "postV3Things", "requestBody": {"content": {"application/json": {"schema": schema}}}}
    document = bundle([SpecFile("openapi/v3/things", {"paths": {"/v3/things": {"post": operation}}})])
    read = document["components"]["schemas"]["PostV3ThingsRequest"]["properties"]
    assert "anyOf" in read["overlap"] and "anyOf" in read["numbers"] and "oneOf" in read["apart"]


def test_examples_fit_their_schema_or_are_kept_aside() -> None:
    def operation(example: dict[str, Any]) -> dict[str, Any]:
        properties = {
            "kind": {"type": "string", "enum": ["A"]},
            "sign": {"type": "string", "x-wechatpay-client-filled": True},
        }
        schema = {"type": "object", "required": ["kind", "sign"], "properties": properties}
        return {
            "x-wechatpay-api": "v2",
            "requestBody": {"content": {"application/xml": {"schema": schema, "example": example}}},
        }

    paths = {"/good": {"post": operation({"kind": "A"})}, "/bad": {"post": operation({"kind": "B"})}}
    document = bundle([SpecFile("openapi/v2/things", {"paths": paths})])
    good = document["paths"]["/good"]["post"]["requestBody"]["content"]["text/xml"]
    bad = document["paths"]["/bad"]["post"]["requestBody"]["content"]["text/xml"]
    assert good["example"] == {"kind": "A", "sign": FILLED_BY_CLIENT}
    assert "example" not in bad and bad["x-wechatpay-example"] == {"kind": "B"}


def test_a_string_row_with_nested_rows_is_an_object_without_the_strings_enum() -> None:
    warnings: list[str] = []
    child = Field("openid", "string", False, True, "", Attrs(), 3, 4)
    kind = Field("kind", "string", False, False, "`A` | `B` 枚举值之一", Attrs(), 2, 3, children=[child])
    schema = field_schema(kind, SchemaContext(lambda line, code, message: warnings.append(code)))
    assert schema["type"] == "object" and "enum" not in schema and list(schema["properties"]) == ["openid"]
    assert warnings == ["children-of-scalar"]


def test_the_linters_find_no_error(document: dict[str, Any], tmp_path: Path) -> None:
    npx = require_linters()
    out = tmp_path / "openapi.json"
    out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert lint_errors(npx, out) == {"redocly": [], "spectral": []}


def _schemas(value: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema-like mapping (one with a `type`) and where it is."""
    if isinstance(value, dict):
        if isinstance(value.get("type"), str):
            yield where, value
        for key, item in value.items():
            yield from _schemas(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _schemas(item, f"{where}.{index}")
