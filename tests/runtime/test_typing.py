"""The runtime is mypy --strict clean (it ships inside the generated, typed package)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import RUNTIME_DIR


@pytest.mark.slow
def test_mypy_strict(mypy_cache: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed")
    if importlib.util.find_spec("defusedxml-stubs") is None:  # the stub folder of types-defusedxml
        pytest.skip("types-defusedxml is not installed (needed for mypy --strict on the runtime)")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", f"--cache-dir={mypy_cache}", str(RUNTIME_DIR)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
