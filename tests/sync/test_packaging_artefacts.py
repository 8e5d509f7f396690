"""What tools leave in the distribution folder is not the tree's content: `pip install ./generated` and
`python -m build` (`build/`, `dist/`, `*.egg-info/` at its top), and mypy, ruff or pytest run on it (their caches,
anywhere). `check` does not report them, and `build` neither refuses nor deletes them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from tests.conftest import EXAMPLES

PACKAGING = ["build/lib/wechatpay/__init__.py", "wechatpay.egg-info/PKG-INFO", "dist/wechatpay-0.1.0.tar.gz"]
TOOL_CACHES = [".mypy_cache/CACHEDIR.TAG", ".ruff_cache/CACHEDIR.TAG", ".pytest_cache/CACHEDIR.TAG"]
TOOL_CACHES.append("wechatpay/.mypy_cache/3.11/wechatpay.meta.json")


@pytest.mark.parametrize("left", [PACKAGING, TOOL_CACHES], ids=["packaging", "tool caches"])
def test_what_tools_leave_is_no_drift(tmp_path: Path, left: list[str]) -> None:
    folders = ["--docs", str(EXAMPLES), "--specs", str(tmp_path / "specs"), "--out", str(tmp_path / "generated")]
    folders += ["--cache", str(tmp_path / "cache"), "--quiet"]
    assert CliRunner().invoke(main, ["build", *folders]).exit_code == 0
    artefacts = [tmp_path / "generated" / name for name in left]
    for artefact in artefacts:
        artefact.parent.mkdir(parents=True, exist_ok=True)
        artefact.write_text("a tool's", encoding="utf-8")
    (tmp_path / "generated/wechatpay/_stamp.json").unlink()  # no shortcut: compare the trees file by file
    checked = CliRunner().invoke(main, ["check", *folders])
    assert checked.exit_code == 1 and "_stamp.json" in checked.output
    assert not any(name in checked.output for name in left)  # only the stamp is reported
    assert CliRunner().invoke(main, ["build", *folders]).exit_code == 0
    assert CliRunner().invoke(main, ["check", *folders]).exit_code == 0
    assert all(artefact.read_text(encoding="utf-8") == "a tool's" for artefact in artefacts)
