"""Fixtures of the build tests: one cache for the session, and a copy of the example pages to build from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.pipeline import Layout
from tests.conftest import EXAMPLES


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the whole session: black's work on the example package is done once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def layout(tmp_path: Path, cache: Path) -> Layout:
    shutil.copytree(EXAMPLES, tmp_path / "docs")
    return Layout(tmp_path / "docs", tmp_path / "specs", tmp_path / "generated", cache)
