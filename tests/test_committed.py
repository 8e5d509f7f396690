"""The repository's own `specs/` and `generated/` are exactly what `build` makes of `examples/docs`."""

from __future__ import annotations

from pathlib import Path

from generator import pipeline
from generator.codegen.options import load_options
from tests.conftest import EXAMPLES, ROOT


def test_committed_specs_and_package_are_what_build_produces(tmp_path: Path) -> None:
    layout = pipeline.Layout(EXAMPLES, ROOT / "specs", ROOT / "generated", tmp_path / "cache")
    outcome = pipeline.check(layout, load_options(ROOT / "pyproject.toml"))
    assert outcome.in_sync, "\n".join(pipeline.describe(outcome)) + "\nrun: wechatpay-codegen build"
