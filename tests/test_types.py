"""The generator is typed throughout (mypy --strict finds nothing), black-clean, and carries no unused import or
undefined name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_mypy_strict_on_the_generator(mypy_cache: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", f"--cache-dir={mypy_cache}", "generator"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_unused_imports_or_undefined_names() -> None:
    folders = ["generator", "templates", "tests", "benchmarks"]
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F", "--output-format", "concise", *folders],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_generator_and_runtime_are_black_clean() -> None:
    """The project's own code is formatted as the code it generates is (black, line length from pyproject.toml)."""
    folders = ["generator", "templates/runtime"]
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", *folders], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
