"""The runtime's `Operation` is the contract between the generator and the runtime: the generator builds the
runtime's own class (a field it lacks fails while generating) and spells only what differs from its defaults."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.codegen import CodegenError, GenerateOptions
from generator.codegen.options import RUNTIME_DIR
from generator.codegen.render import render_files

from .conftest import PACKAGE
from .specs import fixture_specs

JSAPI_MODULE = f"{PACKAGE}/_specs/openapi_v3_pay_transactions_jsapi.py"


def runtime_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the runtime whose operation.py has `old` replaced by `new`."""
    runtime = tmp_path / "runtime"
    shutil.copytree(RUNTIME_DIR, runtime, ignore=shutil.ignore_patterns("__pycache__"))
    source = runtime / "operation.py"
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new), encoding="utf-8")
    return runtime


def test_a_field_the_runtime_lacks_fails_while_generating(tmp_path: Path) -> None:
    runtime = runtime_with(tmp_path, "    nonceless: bool = False\n", "    no_nonce: bool = False\n")
    with pytest.raises(CodegenError, match=r"operation\.py: the generator and the runtime's Operation disagree"):
        render_files(fixture_specs(), GenerateOptions(package=PACKAGE, runtime=runtime))


def test_only_what_differs_from_the_runtime_defaults_is_spelt(tmp_path: Path) -> None:
    shipped = render_files(fixture_specs(), GenerateOptions(package=PACKAGE))[JSAPI_MODULE]
    assert 'api="v3"' not in shipped and 'response_media="application/json"' not in shipped
    runtime = runtime_with(tmp_path, '    api: str = "v3"\n', '    api: str = "v2"\n')
    other = render_files(fixture_specs(), GenerateOptions(package=PACKAGE, runtime=runtime))[JSAPI_MODULE]
    assert 'api="v3"' in other
