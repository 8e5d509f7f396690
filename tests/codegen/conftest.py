"""Fixtures: the fixture specs generated once per session into an importable package."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from generator.codegen import GenerateOptions, generate, write_tree
from generator.codegen.model import Api, build_api
from generator.spec.build import parse_docs
from generator.spec.io import SpecFile

from .specs import fixture_specs

PACKAGE = "wpfix"
CORPUS_PACKAGE = "wpcorpus"


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


@pytest.fixture(scope="session")
def corpus_specs(corpus: Path) -> list[SpecFile]:
    """The specs of the whole doc corpus, parsed once per session."""
    return parse_docs(corpus / "docs").specs


@pytest.fixture(scope="session")
def corpus_api(corpus_specs: list[SpecFile]) -> Api:
    return build_api(corpus_specs, GenerateOptions(package=CORPUS_PACKAGE))


@pytest.fixture(scope="session")
def corpus_tree(corpus_specs: list[SpecFile], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The package generated from the whole corpus, importable as `wpcorpus` for the session."""
    out = tmp_path_factory.mktemp("corpus") / "dist"
    write_tree(generate(corpus_specs, GenerateOptions(package=CORPUS_PACKAGE)), out)
    sys.path.insert(0, str(out))
    yield out
    sys.path.remove(str(out))


@pytest.fixture(scope="session")
def corpus_package(corpus_tree: Path) -> ModuleType:
    return importlib.import_module(CORPUS_PACKAGE)
