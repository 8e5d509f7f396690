"""Rows → field tree: nesting, decoded insides, variants, notes, irregular rows."""

from __future__ import annotations

from generator.docs.page import Table
from generator.docs.rows import FieldTable, build_table
from generator.report import Diagnostic


def table(*rows: str) -> tuple[FieldTable, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    built = build_table(Table("request", 1, [(n + 3, r) for n, r in enumerate(rows)]), "p.md", diagnostics)
    return built, diagnostics


def test_rows_nest_by_indent() -> None:
    built, diagnostics = table(
        "| json {data-required} | object | body",
        "| amount {data-required data-indent=1} | object | 金额",
        "| total {data-required data-indent=2} | integer | 总额",
        "| attach {data-indent=1} | string | 附加",
    )
    body = built.fields[0]
    assert [f.name for f in body.children] == ["amount", "attach"]
    assert body.children[0].children[0].name == "total" and body.children[0].children[0].required
    assert diagnostics == []


def test_separator_after_a_string_opens_its_inside() -> None:
    built, _ = table(
        "| detail {data-indent=0} | string {data-encoded=by-json_encode} | JSON",
        "| {colspan=3 .im-table-line}",
        "| cost {data-indent=1} | integer | 原价",
        "| next | string | 下一个",
    )
    detail, following = built.fields
    assert detail.inside is not None and [f.name for f in detail.inside] == ["cost"]
    assert following.name == "next" and following.inside is None


def test_repeated_name_after_separator_is_a_variant() -> None:
    built, _ = table(
        "| info | string {data-encoded=by-json_encode} | JSON",
        "| {colspan=3 .im-table-line}",
        "| scene {data-required data-indent=1} | object | A",
        "| a {data-indent=2} | string | a",
        "| {colspan=3 .im-table-line}",
        "| scene {data-required data-indent=1} | object | B",
        "| b {data-indent=2} | string | b",
    )
    inside = built.fields[0].inside
    assert inside is not None and len(inside) == 1
    scene = inside[0]
    assert [c.name for c in scene.children] == ["a"]
    assert [c.name for c in scene.alternatives[0].children] == ["b"]


def test_encrypted_resource_level_with_its_field_is_its_inside() -> None:
    built, _ = table(
        "| ciphertext {data-indent=1} | string {data-encrypted=by-aes-gcm} | 密文",
        "| {colspan=3 .im-table-line}",
        "| original {data-indent=1} | object | 原始数据",
        "| status {data-indent=2} | string | 状态",
    )
    inside = built.fields[0].inside
    assert inside is not None and inside[0].name == "original" and inside[0].children[0].name == "status"


def test_notes_and_irregular_rows_are_reported_not_dropped_silently() -> None:
    built, diagnostics = table(
        "| 空字符串(无返回内容) {align=center colspan=3}",
        "| lonely",
        "| two | string",
        "| many | string | a | b",
    )
    assert [n.text for n in built.notes] == ["空字符串(无返回内容)"]
    codes = [d.code for d in diagnostics]
    assert codes.count("skipped-row") == 1 and codes.count("irregular-row") == 2
    assert [d.dropped for d in diagnostics if d.code == "skipped-row"] == [True]
    assert all(d.file == "p.md" and d.line >= 3 for d in diagnostics)
    many = next(f for f in built.fields if f.name == "many")
    assert many.description == "a | b"


def test_indent_jumps_nest_under_the_row_above_with_a_warning() -> None:
    built, diagnostics = table("| a | object | x", "| b {data-indent=1} | object | y", "| c {data-indent=3} | string | z")
    assert built.fields[0].children[0].children[0].name == "c"
    assert [d.code for d in diagnostics] == ["indent-jump"]


def test_a_forgotten_indent_is_inferred_from_the_rows_below() -> None:
    built, diagnostics = table(
        "| body | object | x",
        "| info {data-indent=1} | object | y",
        "| lost | object | 忘了缩进",
        "| deep {data-indent=3} | string | z",
    )
    info = built.fields[0].children[0]
    assert info.children[0].name == "lost" and info.children[0].children[0].name == "deep"
    assert [d.code for d in diagnostics] == ["missing-indent"]


def test_inside_of_an_encrypted_field_listed_before_a_plain_sibling() -> None:
    built, diagnostics = table(
        "| ciphertext | string {data-encrypted=by-aes-gcm} | 密文",
        "| original_type | string | 原始类型",
        "| {colspan=3 .im-table-line}",
        "| mchid {data-indent=1} | string | 商户号",
    )
    ciphertext, original_type = built.fields
    assert ciphertext.inside is not None and ciphertext.inside[0].name == "mchid"
    assert original_type.inside is None
    assert [d.code for d in diagnostics] == ["separated-inside"]
