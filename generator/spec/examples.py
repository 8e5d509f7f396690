"""Carry the page's PHP example values into the operation (`example` on parameters and bodies), and
report where the example and the table disagree: a field one has and the other lacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..docs.page import Section

Warn = Callable[[int, str, str], None]
# Where each location's values sit in the options array of the PHP call.
_PARAMETER_KEYS = {"query": "query", "header": "headers"}


def attach_examples(operation: dict[str, Any], literal: dict[str, Any] | None, section: Section, warn: Warn) -> None:
    line = section.examples[0].line if section.examples else section.line
    if literal is None:
        if _has_inputs(operation) and section.examples:
            warn(line, "no-example", "the PHP example gives no literal request values")
        return
    for parameter in operation.get("parameters", []):
        _parameter_example(parameter, literal, line, warn)
    for media, content in operation.get("requestBody", {}).get("content", {}).items():
        key = {"application/json": "json", "application/xml": "xml"}.get(media)
        if key is None:
            continue  # multipart bodies are streams in the examples
        value = literal.get(key)
        if isinstance(value, dict):
            content["example"] = value
            _compare(value, content["schema"], key, line, warn)
        else:
            warn(line, "example-missing", f"the PHP example has no `{key}` values")


def _has_inputs(operation: dict[str, Any]) -> bool:
    return bool(operation.get("requestBody")) or any(
        not p.get("x-wechatpay-client-filled") for p in operation.get("parameters", [])
    )


def _parameter_example(parameter: dict[str, Any], literal: dict[str, Any], line: int, warn: Warn) -> None:
    if parameter.get("x-wechatpay-client-filled"):
        return
    location, name = parameter["in"], parameter["name"]
    # a path variable may be documented (and exemplified) under `query`
    places = [literal, literal.get("query")] if location == "path" else [literal.get(_PARAMETER_KEYS[location])]
    values = next((p for p in places if isinstance(p, dict) and name in p), None)
    if values is not None:
        parameter["example"] = values[name]
    elif location != "header":
        warn(line, "example-missing", f"the PHP example gives no value for {location} parameter `{name}`")


def _compare(value: Any, schema: dict[str, Any], pointer: str, line: int, warn: Warn) -> None:
    for where, problem in _differences(value, schema, pointer):
        warn(line, "example-mismatch", f"example and table disagree at `{where}`: {problem}")


def _differences(value: Any, schema: dict[str, Any], pointer: str) -> Iterator[tuple[str, str]]:
    if schema.get("type") == "array" and isinstance(value, list):
        for item in value[:1]:
            yield from _differences(item, schema.get("items", {}), pointer + "[]")
        return
    properties = schema.get("properties")
    if not isinstance(value, dict) or properties is None:
        return
    for key, item in value.items():
        if key not in properties:
            yield f"{pointer}.{key}", "the example has it, the table does not"
        else:
            yield from _differences(item, properties[key], f"{pointer}.{key}")
    for key, field in properties.items():
        if key not in value and not field.get("x-wechatpay-client-filled"):
            yield f"{pointer}.{key}", "the table has it, the example does not"
