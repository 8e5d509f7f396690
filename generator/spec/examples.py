"""Carry the page's PHP example values into the operation (`example` on parameters and bodies), and
report where the example and the table disagree: a field one has and the other lacks.

URLs, headers and APIv2 XML carry only text, so the pages write their values as strings (`'100'` for an integer):
there an example that spells its schema's type is read as that type. JSON bodies keep what the page wrote."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..docs.page import Section
from ..report import Code, Warn
from . import extensions as ext

# Where each location's values sit in the options array of the PHP call.
_PARAMETER_KEYS = {"query": "query", "header": "headers"}
_BOOLEANS = {"true": True, "false": False}


def attach_examples(operation: dict[str, Any], literal: dict[str, Any] | None, section: Section, warn: Warn) -> None:
    line = section.examples[0].line if section.examples else section.line
    if literal is None:
        if _has_inputs(operation) and section.examples:
            warn(line, Code.NO_EXAMPLE, "the PHP example gives no literal request values")
        return
    for parameter in operation.get("parameters", []):
        _parameter_example(parameter, literal, line, warn)
    for media, content in operation.get("requestBody", {}).get("content", {}).items():
        key = {"application/json": "json", "application/xml": "xml"}.get(media)
        if key is None:
            continue  # multipart bodies are streams in the examples
        value = literal.get(key)
        if isinstance(value, dict):
            if key == "xml":
                schema = content["schema"]
                value = {name: _from_text(item, _field_of(name, schema) or {}) for name, item in value.items()}
            content["example"] = value
            _compare(value, content["schema"], key, line, warn)
        else:
            warn(line, Code.EXAMPLE_MISSING, f"the PHP example has no `{key}` values")


def _has_inputs(operation: dict[str, Any]) -> bool:
    return bool(operation.get("requestBody")) or any(
        not p.get(ext.CLIENT_FILLED) for p in operation.get("parameters", [])
    )


def _parameter_example(parameter: dict[str, Any], literal: dict[str, Any], line: int, warn: Warn) -> None:
    if parameter.get(ext.CLIENT_FILLED):
        return
    location, name = parameter["in"], parameter["name"]
    # a path variable may be documented (and exemplified) under `query`
    places = [literal, literal.get("query")] if location == "path" else [literal.get(_PARAMETER_KEYS[location])]
    values = next((p for p in places if isinstance(p, dict) and name in p), None)
    if values is not None:
        parameter["example"] = _from_text(values[name], parameter.get("schema", {}))
    elif location != "header":
        warn(line, Code.EXAMPLE_MISSING, f"the PHP example gives no value for {location} parameter `{name}`")


def _from_text(value: Any, schema: dict[str, Any]) -> Any:
    """Text that spells its schema's scalar type exactly (`'100'`, not `'0100'`), as that type."""
    if not isinstance(value, str):
        return value
    readers: dict[str, Callable[[str], Any]] = {"integer": int, "number": _number, "boolean": _BOOLEANS.__getitem__}
    reader = readers.get(schema.get("type", ""))
    try:
        typed = reader(value) if reader else value
    except (KeyError, ValueError):
        return value
    return typed if _as_text(typed) == value else value


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        number = float(text)
    if not math.isfinite(number):  # `nan` and `inf` are no JSON numbers
        raise ValueError(text)
    return number


def _as_text(value: Any) -> str:
    """A value as the runtime writes it into a URL, a header or XML."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _field_of(key: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The schema of property `key`, or of the numbered family (`out_refund_no_$n`) it belongs to (`out_refund_no_0`)."""
    properties: dict[str, dict[str, Any]] = schema.get("properties", {})
    if key in properties:
        return properties[key]
    families: dict[str, dict[str, Any]] = schema.get("patternProperties", {})
    return next((family for pattern, family in families.items() if re.search(pattern, key)), None)


def _compare(value: Any, schema: dict[str, Any], pointer: str, line: int, warn: Warn) -> None:
    for where, problem in _differences(value, schema, pointer):
        warn(line, Code.EXAMPLE_MISMATCH, f"example and table disagree at `{where}`: {problem}")


def _differences(value: Any, schema: dict[str, Any], pointer: str) -> Iterator[tuple[str, str]]:
    if schema.get("type") == "array" and isinstance(value, list):
        for item in value[:1]:
            yield from _differences(item, schema.get("items", {}), pointer + "[]")
        return
    properties = schema.get("properties")
    if not isinstance(value, dict) or properties is None:
        return
    for key, item in value.items():
        field = _field_of(key, schema)
        if field is None:
            yield f"{pointer}.{key}", "the example has it, the table does not"
        else:
            yield from _differences(item, field, f"{pointer}.{key}")
    for key, field in properties.items():
        if key not in value and not field.get(ext.CLIENT_FILLED):
            yield f"{pointer}.{key}", "the table has it, the example does not"
