"""A field tree → JSON Schema 2020-12 (the schema dialect of OpenAPI 3.1), with the WeChat Pay markers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..docs.cells import enum_values, plain_text
from ..docs.rows import Field

Schema = dict[str, Any]
Warn = Callable[[int, str, str], None]

_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "float": "number", "boolean": "boolean", "object": "object"}
# Type-cell attributes that the SDK acts on, each kept as one `x-wechatpay-*` keyword.
_MARKERS = {"data-encrypted": "x-wechatpay-encrypted", "data-encoded": "x-wechatpay-encoded", "data-signed": "x-wechatpay-signed"}


def object_schema(fields: list[Field], warn: Warn, binary_objects: bool = False) -> Schema:
    """`{type: object, required: [...], properties: {...}}` in row order; a repeated name is reported."""
    properties: dict[str, Schema] = {}
    required: list[str] = []
    for field in fields:
        if field.name in properties:
            warn(field.line, "duplicate-field", f"field `{field.name}` appears twice at this level: the later row wins")
            properties.pop(field.name)
        properties[field.name] = field_schema(field, warn, binary_objects)
        if field.required and field.name not in required:
            required.append(field.name)
    schema: Schema = {"type": "object"}
    if required:
        schema["required"] = required
    schema["properties"] = properties
    return schema


def field_schema(field: Field, warn: Warn, binary_objects: bool = False) -> Schema:
    item = _item_schema(field, warn, binary_objects)
    if not field.is_array:
        return _with_description(item, field)
    array: Schema = {"type": "array", "items": item}
    return _with_description(array, field)


def _item_schema(field: Field, warn: Warn, binary_objects: bool) -> Schema:
    if field.type == "file" or (binary_objects and field.type == "object" and not field.children):
        return {"type": "string", "format": "binary"}
    json_type = _JSON_TYPES.get(field.type)
    if json_type is None:
        warn(field.line, "unknown-type", f"field `{field.name}` has unknown type `{field.type}`: read as string")
        json_type = "string"
    schema: Schema = {"type": json_type}
    if json_type == "object" and field.children:
        schema = object_schema(field.children, warn, binary_objects)
    elif field.children:
        warn(field.children[0].line, "children-of-scalar", f"`{field.name}` is a {field.type} but has nested rows: read as object")
        schema = object_schema(field.children, warn, binary_objects)
    enum = _typed_enum(field, json_type, warn)
    if enum:
        schema["enum"] = enum
    if field.variants:
        schema.update(_decoded(field, warn))
    for attr, keyword in _MARKERS.items():
        value = _marker(field, attr)
        if value:
            schema[keyword] = value
    return schema


def _marker(field: Field, attr: str) -> str | None:
    """`data-encoded=by-json_encode`; a few pages spell it `data-encoded-by=json_encode`."""
    value = field.attrs.get(attr)
    if value is None and field.attrs.get(attr + "-by"):
        value = "by-" + str(field.attrs.get(attr + "-by"))
    return value


def _decoded(field: Field, warn: Warn) -> Schema:
    """The inside of a string field, as `contentSchema`; several variants are a `oneOf`."""
    variants = [_variant_schema(field, rows, warn) for rows in field.variants]
    content = variants[0] if len(variants) == 1 else {"oneOf": variants}
    return {"contentMediaType": "application/json", "contentSchema": content}


def _variant_schema(owner: Field, rows: list[Field], warn: Warn) -> Schema:
    # A single object row level with its string field is the inside itself, not a property of it.
    if len(rows) == 1 and rows[0].indent == owner.indent and rows[0].type == "object":
        return field_schema(rows[0], warn)
    return object_schema(rows, warn)


def _typed_enum(field: Field, json_type: str, warn: Warn) -> list[Any] | None:
    values = enum_values(field.description)
    if not values:
        return None
    typed: list[Any] = []
    for value in values:
        converted = _convert(value, json_type)
        if converted is None:
            warn(field.line, "enum-type", f"enum value `{value}` of `{field.name}` is not a {json_type}: enum left out")
            return None
        if converted in typed:
            warn(field.line, "duplicate-enum", f"enum value `{value}` of `{field.name}` is listed twice: kept once")
            continue
        typed.append(converted)
    return typed


def _convert(value: str, json_type: str) -> Any:
    if json_type == "integer":
        return int(value) if value.lstrip("-").isdigit() else None
    if json_type == "number":
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in value else number
    if json_type == "boolean":
        return {"true": True, "false": False}.get(value.lower())
    return value


def _with_description(schema: Schema, field: Field) -> Schema:
    text = plain_text(field.description)
    if text:
        schema["description"] = text
    return schema
