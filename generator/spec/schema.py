"""A field tree → JSON Schema 2020-12 (the schema dialect of OpenAPI 3.1), with the WeChat Pay markers."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..docs.cells import enum_values, plain_text, without_enum
from ..docs.rows import Field
from ..report import Code, Warn
from . import extensions as ext
from .either_or import apply_to_object, either_or_groups

Schema = dict[str, Any]

_JSON_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "float": "number",
    "boolean": "boolean",
    "object": "object",
}
# `out_refund_no_$n`, `coupon_refund_id_$n_$m`: APIv2 numbers a repeated field into a family of keys
# (`out_refund_no_0`, `coupon_refund_id_0_1`), one number per `$` placeholder.
_INDEX_PLACEHOLDER = re.compile(r"\$[A-Za-z]+")
_INDEX_NUMBER = "(0|[1-9][0-9]*)"
# The separator row that opens a JSON string's inside: a page without one has no JSON string.
JSON_STRING_ROW = b"im-table-line"


@dataclass(frozen=True)
class JsonStringEvidence:
    """From every page's examples: how a JSON string whose inside is one array row was written. Keyed
    `receivers/receiver` (the string's name and the row's): the first page, in path order, whose example
    shows it, and whether that example is the bare array (else an object holding the array)."""

    shapes: tuple[tuple[str, str, bool], ...] = ()

    def find(self, key: str) -> tuple[str, bool] | None:
        return next(((page, bare) for known, page, bare in self.shapes if known == key), None)

    def cache_key(self, page: bytes) -> str:
        """What of the evidence a page's spec depends on: all of it for a page with a JSON string, none otherwise."""
        return json.dumps(self.shapes, ensure_ascii=False) if JSON_STRING_ROW in page else ""


@dataclass(frozen=True)
class SchemaContext:
    """What schema building needs besides the rows: where to report, and how to read ambiguous rows."""

    warn: Warn
    binary_objects: bool = False  # multipart: an `object` without rows is a file
    # A JSON string whose inside is one array row is either that array or an object holding it: examples tell.
    evidence: JsonStringEvidence = JsonStringEvidence()
    # A request's objects: either-or groups are looked for, the section's text among the evidence.
    request: bool = False
    section_text: str = ""


def object_schema(fields: list[Field], ctx: SchemaContext, example: Any = None) -> Schema:
    """`{type: object, required: [...], properties: {...}}` in row order (numbered families under
    `patternProperties`); a repeated name is reported."""
    properties: dict[str, Schema] = {}
    families: dict[str, Schema] = {}
    required: list[str] = []
    values = example if isinstance(example, dict) else {}
    for field in fields:
        pattern = indexed_pattern(field.name)
        key, target = (field.name, properties) if pattern is None else (pattern, families)
        if key in target:
            ctx.warn(
                field.line,
                Code.DUPLICATE_FIELD,
                f"field `{field.name}` appears twice at this level: the later row wins",
            )
            target.pop(key)
        target[key] = field_schema(field, ctx, values.get(field.name))
        if pattern is not None:
            target[key][ext.INDEXED] = field.name
            ctx.warn(
                field.line,
                Code.INDEXED_FIELD,
                f"`{field.name}` is a numbered family of keys (`{_first_key(field.name)}`, …): patternProperties `{pattern}`",
            )
        elif field.required and field.name not in required:
            required.append(field.name)
    schema: Schema = {"type": "object"}
    if required:
        schema["required"] = required
    schema["properties"] = properties
    if families:
        schema["patternProperties"] = families
    if ctx.request:
        _either_or(fields, schema, ctx)
    return schema


def _either_or(fields: list[Field], schema: Schema, ctx: SchemaContext) -> None:
    plain = [field for field in fields if indexed_pattern(field.name) is None]
    groups = either_or_groups(plain, ctx.section_text)
    for group in groups:
        ctx.warn(
            group.line, Code.EITHER_OR, f"{group.describe()}: one is enough ({group.rule}): `anyOf`, out of `required`"
        )
    if groups:
        apply_to_object(schema, groups)


def indexed_pattern(name: str) -> str | None:
    """`coupon_refund_id_$n_$m` → `^coupon_refund_id_(0|[1-9][0-9]*)_(0|[1-9][0-9]*)$`; None for a plain name."""
    parts = _INDEX_PLACEHOLDER.split(name)
    if len(parts) == 1:
        return None
    return "^" + _INDEX_NUMBER.join(re.escape(part) for part in parts) + "$"


def _first_key(name: str) -> str:
    return _INDEX_PLACEHOLDER.sub("0", name)


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
        ctx.warn(field.line, Code.UNKNOWN_TYPE, f"field `{field.name}` has unknown type `{field.type}`: read as string")
        json_type = "string"
    schema: Schema = {"type": json_type}
    if field.children:
        if json_type != "object":
            ctx.warn(
                field.children[0].line,
                Code.CHILDREN_OF_SCALAR,
                f"`{field.name}` is a {field.type} but has nested rows: read as object (an enum left out)",
            )
        schema = object_schema(field.children, ctx, example)
    enum = _typed_enum(field, json_type, ctx.warn) if schema["type"] != "object" else None  # objects have no values
    if enum:
        schema["enum"] = enum
    if field.inside is not None:
        schema["contentMediaType"] = "application/json"
        schema["contentSchema"] = _inside_schema(field, field.inside, ctx, _decoded_example(example))
    encrypted = field.attrs.get("data-encrypted")  # the one type-cell attribute the SDK acts on
    if encrypted:
        schema[ext.ENCRYPTED] = encrypted
    return schema


def _inside_schema(owner: Field, rows: list[Field], ctx: SchemaContext, example: Any) -> Schema:
    if len(rows) == 1 and rows[0].indent == owner.indent:
        # a single row level with its string field is the inside itself, not a property of it
        return field_schema(rows[0], ctx, example)
    row = array_inside(owner)
    if row is not None and _is_bare_array(owner, row, ctx, example):
        return field_schema(row, ctx, example)
    return object_schema(rows, ctx, example)


def array_inside(owner: Field) -> Field | None:
    """The one array row of a JSON string's inside, which the string holds bare or in an object."""
    rows = owner.inside or []
    if len(rows) == 1 and rows[0].is_array and rows[0].indent > owner.indent:
        return rows[0]
    return None


def evidence_key(owner: Field, row: Field) -> str:
    return f"{owner.name}/{row.name}"


def _is_bare_array(owner: Field, row: Field, ctx: SchemaContext, example: Any) -> bool:
    """The page's own example of the string; else the same string's example on another page; else the object
    holding the array, which is what the service sends (`{"jsapi_path_list":[…]}`)."""
    if isinstance(example, (list, dict)):
        bare, source = isinstance(example, list), "own example"
    elif (found := ctx.evidence.find(evidence_key(owner, row))) is not None:
        bare, source = found[1], f"sibling page {found[0]}"
    else:
        bare, source = False, "default"
    shape = f"the bare `{row.name}` array" if bare else f"an object with the `{row.name}` array"
    ctx.warn(owner.line, Code.JSON_STRING_SHAPE, f"JSON string `{owner.name}` holds {shape} ({source})")
    return bare


def example_shapes(fields: list[Field], values: Any) -> Iterator[tuple[str, bool]]:
    """What an example says of each JSON string with one array row below these rows: (its key, bare array?).
    The example is walked as the schema builder walks it."""
    values = values if isinstance(values, dict) else {}
    for field in fields:
        yield from _field_shapes(field, values.get(field.name))


def _field_shapes(field: Field, value: Any) -> Iterator[tuple[str, bool]]:
    if field.is_array:
        value = value[0] if isinstance(value, list) and value else None
    yield from example_shapes(field.children, value)
    if field.inside is None:
        return
    decoded = _decoded_example(value)
    row = array_inside(field)
    if row is not None and isinstance(decoded, (list, dict)):
        yield evidence_key(field, row), isinstance(decoded, list)
    if row is not None and isinstance(decoded, list):
        yield from _field_shapes(row, decoded)
    else:
        yield from example_shapes(field.inside, decoded)


def _decoded_example(example: Any) -> Any:
    if not isinstance(example, str):
        return None
    try:
        return json.loads(example)
    except ValueError:
        return None


def _typed_enum(field: Field, json_type: str, warn: Warn) -> list[Any] | None:
    values = enum_values(field.description)
    if not values:
        return None
    typed: list[Any] = []
    for value in values:
        converted = _convert(value, json_type)
        if converted is None:
            warn(
                field.line,
                Code.ENUM_TYPE,
                f"enum value `{value}` of `{field.name}` is not a {json_type}: enum left out",
            )
            return None
        if converted in typed:
            warn(field.line, Code.DUPLICATE_ENUM, f"enum value `{value}` of `{field.name}` is listed twice: kept once")
            continue
        typed.append(converted)
    return typed


def _convert(value: str, json_type: str) -> Any:
    if json_type == "integer":  # ASCII digits only (`²` is a digit to str.isdigit), and within int()'s limit
        return int(value) if re.fullmatch(r"-?[0-9]{1,4000}", value) else None
    if json_type == "number":
        try:
            number = float(value)
        except ValueError:
            return None
        if not math.isfinite(number):  # nan, inf: no JSON number
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
