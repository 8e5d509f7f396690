"""Small inputs that would hang or crash a run: YAML alias bombs and cycles, `$ref` loops, values no converter
takes, a sparse page of gigabytes. Each ends in a diagnostic naming the file, within a bound on the work done: the
CPU time of this process (not the wall clock, which a busy machine stretches) within a generous multiple of a
benign build's measured in the same run, and memory that grows by less than a GiB (an expanded bomb or a page read
whole takes gigabytes)."""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import Project, no_traceback, page

WORK_FACTOR = 20  # CPU time of a hostile run, in benign builds: an expanded bomb costs thousands of them
MEMORY_GROWTH = 1 << 30  # bytes

LAUGHS = "\n".join(
    ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
)


def peak_memory() -> int:
    """The process's peak resident memory in bytes (Linux counts it in KiB, macOS in bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


@pytest.fixture(scope="module")
def budget(tmp_path_factory: pytest.TempPathFactory) -> float:
    """CPU seconds a hostile run may take: WORK_FACTOR times a benign one-page build (the second: the first pays
    for imports)."""
    spent = []
    for _ in range(2):
        project = Project(tmp_path_factory.mktemp("benign") / "project", Path("unused"))
        project.write_page("openapi/v3/pay/a.md", page())
        started = time.process_time()
        assert project.build().exit_code == 0
        spent.append(time.process_time() - started)
    return WORK_FACTOR * spent[-1]


@contextmanager
def bounded(budget: float) -> Iterator[None]:
    """The work inside is at most `budget` CPU seconds of this process and grows its peak memory by under a GiB."""
    cpu, memory = time.process_time(), peak_memory()
    yield
    spent, grown = time.process_time() - cpu, peak_memory() - memory
    assert spent < budget, f"{spent:.2f} CPU seconds, over the budget of {budget:.2f}"
    assert grown < MEMORY_GROWTH, f"peak memory grew by {grown >> 20} MiB"


@pytest.mark.parametrize(
    "frontmatter",
    [f"{LAUGHS}\ntitle: *l9", "title: &me [*me]", "title: &me {a: *me}"],
    ids=["billion-laughs", "recursive-list", "recursive-mapping"],
)
def test_frontmatter_aliases_are_refused(project: Project, budget: float, frontmatter: str) -> None:
    text = page().replace("title: 一个接口", frontmatter)
    project.write_page("openapi/v3/pay/a.md", text)
    with bounded(budget):
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


def generate(project: Project, spec: str, tmp_path: Path, budget: float) -> str:
    (project.specs / "openapi/v3/pay").mkdir(parents=True)
    (project.specs / "openapi/v3/pay/a.yaml").write_text(spec, encoding="utf-8")
    with bounded(budget):
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
def test_hostile_specs_end_in_an_error_naming_the_file(
    project: Project, tmp_path: Path, budget: float, spec: str, expected: str
) -> None:
    output = generate(project, spec, tmp_path, budget)
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
def test_values_no_converter_takes_end_in_a_diagnostic_naming_the_page(project: Project, budget: float, row: str) -> None:
    project.write_page("openapi/v3/pay/a.md", page([row]))
    with bounded(budget):
        result = project.build()
    no_traceback(result)
    assert "openapi/v3/pay/a.md" in result.output


def test_a_sparse_page_of_6_gb_is_refused_unread(project: Project, budget: float) -> None:
    project.write_page("openapi/v3/pay/a.md", page())
    with (project.docs / "openapi/v3/pay/huge.md").open("wb") as file:
        file.truncate(6 * 1024**3)
    with bounded(budget):
        result = project.build()
    no_traceback(result)
    assert result.exit_code == 1 and "openapi/v3/pay/huge.md: error: page is over the 4096 KB limit" in result.output
