"""Releases: the version (`--version`, else the docs' commit date, else `[tool.wechatpay-codegen]`, else 0.1.0) and
the package's CHANGELOG.md, which `build` keeps from the API changes between the specs it replaces and the new."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from generator import pipeline
from generator.cli import main
from generator.codegen.options import GenerateOptions
from generator.pipeline import Layout
from tests.conftest import EXAMPLES

JSAPI = "openapi/v3/pay/transactions/jsapi.md"
CLOSE = "openapi/v3/pay/transactions/out-trade-no/{out_trade_no}/close"
CHANGELOG = "wechatpay/CHANGELOG.md"


def build(layout: Layout, version: str) -> pipeline.Outcome:
    return pipeline.build(layout, replace(GenerateOptions(), version=version))


def changelog(layout: Layout) -> str:
    return (layout.out / CHANGELOG).read_text(encoding="utf-8")


def make_appid_optional(layout: Layout) -> None:
    page = layout.docs / JSAPI
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("| appid {data-required data-indent=1} |", "| appid {data-indent=1} |", 1), "utf-8")


def test_each_build_that_changes_the_api_puts_its_changes_on_top(layout: Layout) -> None:
    build(layout, "0.1.0")
    assert changelog(layout).count("## ") == 1
    assert "## 0.1.0\n\nThe first version this changelog records: 23 operations and notifications." in changelog(layout)

    make_appid_optional(layout)
    build(layout, "0.2.0")
    newest, earlier = changelog(layout).split("## 0.1.0")
    assert (
        "## 0.2.0" in newest and "| required-changed | `POST /v3/pay/transactions/jsapi` request body appid |" in newest
    )
    assert "The first version this changelog records" in earlier
    assert pipeline.check(layout, replace(GenerateOptions(), version="0.2.0")).in_sync
    assert not any(build(layout, "0.2.0").updates)  # no API change, no entry

    (layout.docs / f"{CLOSE}.md").unlink()
    build(layout, "0.2.0")  # the same version again: its entry gets this build's changes too
    newest, _ = changelog(layout).split("## 0.1.0")
    assert newest.count("## 0.2.0") == 1 and "required-changed" in newest
    assert "| operation-removed | `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close` |" in newest


def test_a_previous_spec_edited_past_reading_counts_as_absent(layout: Layout) -> None:
    build(layout, "0.1.0")
    (layout.specs / "openapi/v3/pay/transactions/jsapi.yaml").write_text("paths: [unclosed", encoding="utf-8")
    build(layout, "0.2.0")
    assert "| operation-added | `POST /v3/pay/transactions/jsapi` |" in changelog(layout)


def test_the_version_is_the_option_else_the_configured_one(tmp_path: Path, cache: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.wechatpay-codegen]\nversion = "5.0.0"\n', encoding="utf-8")
    folders = ["--docs", str(EXAMPLES), "--specs", str(tmp_path / "specs"), "--out", str(tmp_path / "generated")]
    folders += ["--cache", str(cache), "--config", str(tmp_path / "pyproject.toml"), "--quiet"]
    pyproject = tmp_path / "generated/pyproject.toml"
    assert CliRunner().invoke(main, ["build", *folders]).exit_code == 0
    assert 'version = "5.0.0"' in pyproject.read_text(encoding="utf-8")
    assert CliRunner().invoke(main, ["build", *folders, "--version", "6.0.0"]).exit_code == 0
    assert 'version = "6.0.0"' in pyproject.read_text(encoding="utf-8")
    assert "## 6.0.0" not in (tmp_path / "generated" / CHANGELOG).read_text(encoding="utf-8")  # the API is the same
