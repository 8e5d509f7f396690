"""Small inputs that would hang or crash a run: YAML alias bombs and cycles, `$ref` loops, values no converter
takes, a sparse page of gigabytes. Each ends within 2 s in a diagnostic naming the file."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import Project, no_traceback, page

LAUGHS = "\n".join(
    ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
)


@contextmanager
def within(seconds: float) -> Iterator[None]:
    started = time.monotonic()
    yield
    assert time.monotonic() - started < seconds


@pytest.mark.parametrize(
    "frontmatter",
    [f"{LAUGHS}\ntitle: *l9", "title: &me [*me]", "title: &me {a: *me}"],
    ids=["billion-laughs", "recursive-list", "recursive-mapping"],
)
def test_frontmatter_aliases_are_refused(project: Project, frontmatter: str) -> None:
    text = page().replace("title: 一个接口", frontmatter)
    project.write_page("openapi/v3/pay/a.md", text)
    with within(2):
        result = project.build()
    no_traceback(result)
    assert "openapi/v3/pay/a.md:1: warning: frontmatter:" in result.output and "aliases" in result.output


SPEC = """x-wechatpay-page: openapi/v3/pay/a.md
paths:
  /v3/pay/a:
    post:
      x-wechatpay-api: v3
      requestBody:
        content:
          application/json:
            schema: {schema}
      responses:
        '204': {{description: No Content}}
"""


def generate(project: Project, spec: str, tmp_path: Path) -> str:
    (project.specs / "openapi/v3/pay").mkdir(parents=True)
    (project.specs / "openapi/v3/pay/a.yaml").write_text(spec, encoding="utf-8")
    with within(2):
        result = project.cli("generate", str(project.specs), "-o", str(tmp_path / "package"))
    no_traceback(result)
    assert result.exit_code == 1 and not (tmp_path / "package").exists()
    return result.output


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (LAUGHS + "\n" + SPEC.format(schema="{type: object}"), "aliases"),
        (SPEC.format(schema="&s {type: object, properties: {next: *s}}"), "aliases"),
        (
            SPEC.format(schema="{$ref: '#/components/schemas/A'}")
            + "components: {schemas: {A: {type: object, properties: {next: {$ref: '#/components/schemas/A'}}}}}\n",
            "refers back to itself",
        ),
        (SPEC.format(schema="{type: integer, enum: [" + "7" * 5000 + "]}"), "cannot convert"),
        (SPEC.format(schema="{type: number, enum: [.nan, .inf]}"), "is no JSON number"),
        (SPEC.format(schema="[" * 80 + "]" * 80), "nested deeper"),
        (SPEC.format(schema="{type: string, enum: [2020-01-01, !!binary aGk=]}"), "a date is no JSON value"),
        (SPEC.format(schema="{type: object, properties: 5}"), "schema.properties: a int where a schemas belongs"),
        (SPEC.format(schema="{type: string, enum: [{a: 1}]}"), "schema.enum.0: a dict where a scalar belongs"),
    ],
    ids=["billion-laughs", "recursive-alias", "ref-loop", "5000-digits", "nan-inf", "deep", "date", "shape", "enum-shape"],
)
def test_hostile_specs_end_in_an_error_naming_the_file(project: Project, tmp_path: Path, spec: str, expected: str) -> None:
    output = generate(project, spec, tmp_path)
    assert "a.yaml" in output and expected in output


@pytest.mark.parametrize(
    "row",
    [
        "| n {data-indent=1} | integer | 数量<br/>`1` \\| `²` 枚举值之一",
        "| n {data-indent=1} | integer | 数量<br/>`" + "9" * 5000 + "` 枚举值",
        "| n {data-indent=²} | integer | 数量",
        "| n {data-indent=1} | number | 数量<br/>`nan` \\| `inf` 枚举值之一",
    ],
    ids=["superscript-two", "5000-digits", "superscript-indent", "nan-inf"],
)
def test_values_no_converter_takes_end_in_a_diagnostic_naming_the_page(project: Project, row: str) -> None:
    project.write_page("openapi/v3/pay/a.md", page([row]))
    with within(2):
        result = project.build()
    no_traceback(result)
    assert "openapi/v3/pay/a.md" in result.output


def test_a_sparse_page_of_6_gb_is_refused_unread(project: Project) -> None:
    project.write_page("openapi/v3/pay/a.md", page())
    with (project.docs / "openapi/v3/pay/huge.md").open("wb") as file:
        file.truncate(6 * 1024**3)
    with within(2):
        result = project.build()
    no_traceback(result)
    assert result.exit_code == 1 and "openapi/v3/pay/huge.md: error: page is over the 4096 KB limit" in result.output
