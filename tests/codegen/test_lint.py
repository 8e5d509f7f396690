"""The generated package has no unused import and no star import (ruff F401, F403): each module imports only the
names it uses, and re-exports say so (`X as X`), so a linter over the package stays quiet."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None, reason="ruff is not installed: `pip install -e .[dev]` brings it"
)


def unused_or_star_imports(tree: Path) -> str:
    """ruff's F401/F403 findings in `tree`, empty when there are none."""
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "F401,F403"]
    result = subprocess.run([*command, "--output-format", "concise", str(tree)], capture_output=True, text=True)
    return "" if result.returncode == 0 else result.stdout + result.stderr


def test_the_committed_package() -> None:
    assert unused_or_star_imports(ROOT / "generated") == ""


def test_the_fixture_package(fixture_tree: Path) -> None:
    assert unused_or_star_imports(fixture_tree) == ""


@pytest.mark.corpus
@pytest.mark.slow
def test_the_corpus_package(corpus_tree: Path) -> None:
    assert unused_or_star_imports(corpus_tree) == ""
