"""A field tree → JSON Schema 2020-12 (the schema dialect of OpenAPI 3.1), with the WeChat Pay markers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..docs.cells import enum_values, plain_text, without_enum
from ..docs.rows import Field

Schema = dict[str, Any]
Warn = Callable[[int, str, str], None]

_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "float": "number", "boolean": "boolean", "object": "object"}
# Type-cell attributes that the SDK acts on, each kept as one `x-wechatpay-*` keyword.
_MARKERS = {"data-encrypted": "x-wechatpay-encrypted", "data-encoded": "x-wechatpay-encoded", "data-signed": "x-wechatpay-signed"}


@dataclass(frozen=True)
class SchemaContext:
    """What schema building needs besides the rows: where to report, and how to read ambiguous rows."""

    warn: Warn
    binary_objects: bool = False  # multipart: an `object` without rows is a file
    # A JSON string whose inside is one array row is either that array or an object holding it; the page's
    # example tells. Without one: a row named as its string field is a key; otherwise APIv2 pages (where
    # such rows name the item of a bare array) read it as the array.
    bare_arrays_by_default: bool = False


def object_schema(fields: list[Field], ctx: SchemaContext, example: Any = None) -> Schema:
    """`{type: object, required: [...], properties: {...}}` in row order; a repeated name is reported."""
    properties: dict[str, Schema] = {}
    required: list[str] = []
    values = example if isinstance(example, dict) else {}
    for field in fields:
        if field.name in properties:
            ctx.warn(field.line, "duplicate-field", f"field `{field.name}` appears twice at this level: the later row wins")
            properties.pop(field.name)
        properties[field.name] = field_schema(field, ctx, values.get(field.name))
        if field.required and field.name not in required:
            required.append(field.name)
    schema: Schema = {"type": "object"}
    if required:
        schema["required"] = required
    schema["properties"] = properties
    return schema


def field_schema(field: Field, ctx: SchemaContext, example: Any = None) -> Schema:
    if field.alternatives:
        variants = [_single_schema(f, ctx, example) for f in [field, *field.alternatives]]
        return _with_description({"oneOf": variants}, field)
    return _single_schema(field, ctx, example)


def _single_schema(field: Field, ctx: SchemaContext, example: Any) -> Schema:
    if not field.is_array:
        return _with_description(_item_schema(field, ctx, example), field)
    first = example[0] if isinstance(example, list) and example else None
    return _with_description({"type": "array", "items": _item_schema(field, ctx, first)}, field)


def _item_schema(field: Field, ctx: SchemaContext, example: Any) -> Schema:
    if field.type == "file" or (ctx.binary_objects and field.type == "object" and not field.children):
        return {"type": "string", "format": "binary"}
    json_type = _JSON_TYPES.get(field.type)
    if json_type is None:
        ctx.warn(field.line, "unknown-type", f"field `{field.name}` has unknown type `{field.type}`: read as string")
        json_type = "string"
    schema: Schema = {"type": json_type}
    if field.children:
        if json_type != "object":
            ctx.warn(field.children[0].line, "children-of-scalar", f"`{field.name}` is a {field.type} but has nested rows: read as object")
        schema = object_schema(field.children, ctx, example)
    enum = _typed_enum(field, json_type, ctx.warn)
    if enum:
        schema["enum"] = enum
    if field.inside is not None:
        schema["contentMediaType"] = "application/json"
        schema["contentSchema"] = _inside_schema(field, field.inside, ctx, _decoded_example(example))
    for attr, keyword in _MARKERS.items():
        value = _marker(field, attr)
        if value:
            schema[keyword] = value
    return schema


def _inside_schema(owner: Field, rows: list[Field], ctx: SchemaContext, example: Any) -> Schema:
    if len(rows) == 1 and rows[0].indent == owner.indent:
        # a single row level with its string field is the inside itself, not a property of it
        return field_schema(rows[0], ctx, example)
    if len(rows) == 1 and rows[0].is_array and rows[0].name != owner.name and _is_bare_array(example, ctx):
        schema = field_schema(rows[0], ctx, example)
        schema["x-wechatpay-item-name"] = rows[0].name
        return schema
    return object_schema(rows, ctx, example)


def _is_bare_array(example: Any, ctx: SchemaContext) -> bool:
    if example is None:
        return ctx.bare_arrays_by_default
    return isinstance(example, list)


def _decoded_example(example: Any) -> Any:
    if not isinstance(example, str):
        return None
    try:
        return json.loads(example)
    except ValueError:
        return None


def _marker(field: Field, attr: str) -> str | None:
    """`data-encoded=by-json_encode`; a few pages spell it `data-encoded-by=json_encode`."""
    value = field.attrs.get(attr)
    if value is None and field.attrs.get(attr + "-by"):
        value = "by-" + str(field.attrs.get(attr + "-by"))
    return value


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
    has_enum = "enum" in schema or "enum" in schema.get("items", {})
    text = plain_text(without_enum(field.description) if has_enum else field.description)
    if text:
        schema["description"] = text
    return schema
