"""The generated package has no unused import and no star import (ruff F401, F403): each module imports only the
names it uses, and re-exports say so (`X as X`), so a linter over the package stays quiet."""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from generator.codegen import CodegenError, GenerateOptions
from generator.codegen.render import render_files
from generator.spec.io import SpecFile
from tests.conftest import ROOT

from .conftest import PACKAGE
from .specs import JSAPI, spec

NO_RUFF = pytest.mark.skipif(
    importlib.util.find_spec("ruff") is None, reason="ruff is not installed: `pip install -e .[dev]` brings it"
)


def unused_or_star_imports(tree: Path) -> str:
    """ruff's F401/F403 findings in `tree`, empty when there are none."""
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "F401,F403"]
    result = subprocess.run([*command, "--output-format", "concise", str(tree)], capture_output=True, text=True)
    return "" if result.returncode == 0 else result.stdout + result.stderr


@NO_RUFF
def test_the_committed_package() -> None:
    assert unused_or_star_imports(ROOT / "generated") == ""


@NO_RUFF
def test_the_fixture_package(fixture_tree: Path) -> None:
    assert unused_or_star_imports(fixture_tree) == ""


@NO_RUFF
@pytest.mark.corpus
@pytest.mark.slow
def test_the_corpus_package(corpus_tree: Path) -> None:
    assert unused_or_star_imports(corpus_tree) == ""


def test_a_spec_whose_code_does_not_parse_is_an_error_naming_it() -> None:
    """The imports are read off the module's own code: a hand edit that breaks the code fails with the spec's name."""
    data = copy.deepcopy(spec("openapi/v3/pay/transactions/jsapi", JSAPI).data)
    schema = data["paths"]["/v3/pay/transactions/jsapi"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema["properties"]["appid"]["type"] = []  # an empty annotation: `appid: ` is no Python
    with pytest.raises(CodegenError, match=r"specs/openapi/v3/pay/transactions/jsapi\.yaml: the generated code is not"):
        render_files([SpecFile("openapi/v3/pay/transactions/jsapi", data)], GenerateOptions(package=PACKAGE))
