"""Fixtures: the fixture specs generated once per session into an importable package."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.codegen import GenerateOptions, generate, write_tree

from .specs import fixture_specs

PACKAGE = "wpfix"


@pytest.fixture(scope="session")
def fixture_files() -> dict[str, str]:
    return generate(fixture_specs(), GenerateOptions(package=PACKAGE))


@pytest.fixture(scope="session")
def fixture_tree(fixture_files: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "dist"
    write_tree(fixture_files, out)
    return out


@pytest.fixture(scope="session")
def package(fixture_tree: Path) -> Iterator[ModuleType]:
    """The generated package, imported from its folder."""
    sys.path.insert(0, str(fixture_tree))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(fixture_tree))
