"""Input left out is listed with file:line and counted in the summary; it fails the run only with `--strict`, so a
CI job that runs `build` on the real docs is not failed by the docs' own defects unless it asks to be."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import DROPPED_EXIT, main

# A table before any operation heading: the parser cannot place it, so it leaves it out (`orphan-table`).
PAGE = """---
title: 查询
---

| 请求参数 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| mchid {data-required} | string | 商户号

# {{ $frontmatter.title }} {#get}

| 请求参数 | 类型 {.type} | 描述 {.desc}
| --- | --- | ---
| query {data-required} | object | 查询参数
| mchid {data-required data-indent=1} | string | 商户号

{.im-table #request}
"""


@pytest.mark.parametrize(("flags", "status"), [((), 0), (("--strict",), DROPPED_EXIT)])
def test_input_left_out_fails_only_a_strict_run(tmp_path: Path, flags: tuple[str, ...], status: int) -> None:
    (tmp_path / "docs/openapi/v3/x").mkdir(parents=True)
    (tmp_path / "docs/openapi/v3/x/y.md").write_text(PAGE, encoding="utf-8")
    arguments = ["parse", str(tmp_path / "docs"), "-o", str(tmp_path / "specs"), "--cache", str(tmp_path / "cache")]
    result = CliRunner().invoke(main, [*arguments, *flags])
    assert result.exit_code == status, result.output
    assert "openapi/v3/x/y.md:5:" in result.output and "(1 leaving input out)" in result.output
    assert (tmp_path / "specs/openapi/v3/x/y.yaml").is_file()
