"""Running mypy, ruff or pytest on `generated/` leaves their caches in it: not the tree's content, so `check` does
not report them and `build` neither refuses nor deletes them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import EXAMPLES


def test_tool_caches_are_no_drift(tmp_path: Path) -> None:
    folders = ["--docs", str(EXAMPLES), "--specs", str(tmp_path / "specs"), "--out", str(tmp_path / "generated")]
    folders += ["--cache", str(tmp_path / "cache"), "--quiet"]
    assert CliRunner().invoke(main, ["build", *folders]).exit_code == 0
    caches = [tmp_path / f"generated/{name}/CACHEDIR.TAG" for name in (".mypy_cache", ".ruff_cache", ".pytest_cache")]
    caches.append(tmp_path / "generated/wechatpay/.mypy_cache/3.11/wechatpay.meta.json")
    for cache in caches:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text("a tool's", encoding="utf-8")
    (tmp_path / "generated/wechatpay/_stamp.json").unlink()  # no shortcut: compare the trees file by file
    checked = CliRunner().invoke(main, ["check", *folders])
    assert (
        checked.exit_code == 1
        and "_stamp.json" in checked.output
        and not any(name in checked.output for name in (".mypy_cache", ".ruff_cache", ".pytest_cache"))
    )
    assert CliRunner().invoke(main, ["build", *folders]).exit_code == 0
    assert CliRunner().invoke(main, ["check", *folders]).exit_code == 0
    assert all(cache.read_text(encoding="utf-8") == "a tool's" for cache in caches)
