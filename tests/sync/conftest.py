"""Fixtures of the build tests: one cache for the session, the corpus tests' cache, and a copy of the example pages to
build from."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.pipeline import Layout
from tests.conftest import EXAMPLES, ROOT


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the whole session: black's work on the example package is done once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def corpus_cache() -> Path:
    """The project's own cache (or WECHATPAY_CACHE), shared by every test that parses or builds the doc corpus: each
    snapshot is parsed, and its package formatted by black, once per machine rather than once per test."""
    return Path(os.environ.get("WECHATPAY_CACHE", ROOT / ".wechatpay-codegen-cache"))


@pytest.fixture
def layout(tmp_path: Path, cache: Path) -> Layout:
    shutil.copytree(EXAMPLES, tmp_path / "docs")
    return Layout(tmp_path / "docs", tmp_path / "specs", tmp_path / "generated", cache)
