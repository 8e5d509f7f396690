"""The cell micro-syntax: attributes, types, enums, plain text."""

from __future__ import annotations

import pytest

from generator.docs.cells import enum_values, fixed_value, parse_cell, parse_type, plain_text, split_row, without_enum


def test_split_row_honours_escaped_pipes_and_outer_pipes() -> None:
    assert split_row(r"| a {data-required} | string | `A` \| `B` 枚举值之一 |") == ["a {data-required}", "string", r"`A` \| `B` 枚举值之一"]
    assert split_row("| a | b | c") == ["a", "b", "c"]


def test_parse_cell_reads_flags_values_classes_and_quoted_values() -> None:
    name, attrs = parse_cell('amount {data-required data-indent=2}')
    assert name == "amount" and attrs.flag("data-required") and attrs.get("data-indent") == "2"
    text, attrs = parse_cell('string {data-tooltip="对应 PHP" data-encrypted=by-rsa-pubkey}')
    assert text == "string" and attrs.get("data-tooltip") == "对应 PHP" and attrs.get("data-encrypted") == "by-rsa-pubkey"
    text, attrs = parse_cell("{colspan=3 .im-table-line}")
    assert text == "" and "im-table-line" in attrs.classes


def test_misplaced_attributes_still_read() -> None:
    name, attrs = parse_cell("create_time  {data-required}")
    assert name == "create_time" and attrs.flag("data-required")


@pytest.mark.parametrize(("text", "expected"), [("object[]", ("object", True)), ("string", ("string", False)), ("`true`", ("true", False)), ("Integer[]", ("integer", True))])
def test_parse_type(text: str, expected: tuple[str, bool]) -> None:
    assert parse_type(text) == expected


@pytest.mark.parametrize(
    ("description", "values"),
    [
        (r"状态<br/>`A` \| `B` 枚举值之一", ["A", "B"]),
        ("`X` 枚举值", ["X"]),
        ("`20X` `4XX` `5XX` 枚举值之一", ["20X", "4XX", "5XX"]),
        (r"类型<br/>`MD5` \| `HMAC-SHA256`枚举值之一<br/>默认值 `MD5`", ["MD5", "HMAC-SHA256"]),
        (r"状态枚举<br/>`ON` \| `OFF` 枚举值之一", ["ON", "OFF"]),
        ("枚举值：<br/>`GLOBAL`：全场<br/>`SINGLE`：单品", ["GLOBAL", "SINGLE"]),
        ("没有枚举", None),
        ("普通描述", None),
    ],
)
def test_enum_values(description: str, values: list[str] | None) -> None:
    assert enum_values(description) == values


def test_plain_text_drops_markup_and_keeps_link_text() -> None:
    assert plain_text("见[文档](https://x.example)<br/>`code` &amp; more") == "见文档\ncode & more"


def test_fixed_value() -> None:
    assert fixed_value("固定值`addInstitutionsub`") == "addInstitutionsub"
    assert fixed_value("随便") is None


def test_without_enum_keeps_the_rest_of_the_description() -> None:
    assert plain_text(without_enum(r"状态<br/>`A` \| `B` 枚举值之一")) == "状态"
    assert plain_text(without_enum("枚举值：<br/>`GLOBAL`：全场<br/>`SINGLE`：单品")) == "枚举值：\nGLOBAL：全场\nSINGLE：单品"
    assert without_enum("没有") == "没有"
