"""Shared fixtures: where the real doc corpus is, and the project's own folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "docs"


def _corpus_root() -> Path | None:
    value = os.environ.get("WECHATPAY_CORPUS")
    return Path(value) if value else None


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the session's mypy runs: the standard library's and the dependencies' types (pydantic,
    httpx, cryptography) are analysed once, not once per run; each run still checks its own files in full."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus folder (holding docs/, docs-2025-05/, truth/); skips when it is not configured."""
    root = _corpus_root()
    if root is None:
        pytest.skip("WECHATPAY_CORPUS is not set: point it at ../shared/corpus to run the corpus tests")
    if not (root / "docs").is_dir():
        pytest.skip(f"WECHATPAY_CORPUS={root} has no docs/ folder")
    return root


@pytest.fixture(scope="session")
def samples_dir(corpus: Path) -> Path:
    """Real request, response and notification samples (`WECHATPAY_SAMPLES`, else the corpus's samples/)."""
    root = Path(os.environ.get("WECHATPAY_SAMPLES") or corpus / "samples")
    if not (root / "manifest.json").is_file():
        pytest.skip(f"{root} has no manifest.json: point WECHATPAY_SAMPLES at ../shared/corpus/samples")
    return root
