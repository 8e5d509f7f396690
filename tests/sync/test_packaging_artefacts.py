"""`pip install ./generated` (and `python -m build`) leave `build/`, `dist/` and `*.egg-info/` in the distribution
folder: they are not the tree's content, so `check` does not report them and `build` neither refuses nor deletes them."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import EXAMPLES


def test_packaging_artefacts_are_no_drift(tmp_path: Path) -> None:
    folders = ["--docs", str(EXAMPLES), "--specs", str(tmp_path / "specs"), "--out", str(tmp_path / "generated")]
    folders += ["--cache", str(tmp_path / "cache"), "--quiet"]
    assert CliRunner().invoke(main, ["build", *folders]).exit_code == 0
    artefacts = [tmp_path / "generated/build/lib/wechatpay/__init__.py", tmp_path / "generated/wechatpay.egg-info/PKG-INFO"]
    artefacts.append(tmp_path / "generated/dist/wechatpay-0.1.0.tar.gz")
    for artefact in artefacts:
        artefact.parent.mkdir(parents=True, exist_ok=True)
        artefact.write_text("made by pip", encoding="utf-8")
    (tmp_path / "generated/wechatpay/_stamp.json").unlink()  # no shortcut: compare the trees file by file
    checked = CliRunner().invoke(main, ["check", *folders])
    assert checked.exit_code == 1 and "_stamp.json" in checked.output and "egg-info" not in checked.output
    assert CliRunner().invoke(main, ["build", *folders]).exit_code == 0
    assert CliRunner().invoke(main, ["check", *folders]).exit_code == 0
    assert all(artefact.read_text(encoding="utf-8") == "made by pip" for artefact in artefacts)
