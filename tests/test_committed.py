"""The repository's own `specs/` and `generated/` are exactly what `build` makes of `examples/docs`, and the
README's usage example type-checks against that package."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from generator import pipeline
from generator.codegen.options import load_options
from tests.conftest import EXAMPLES, ROOT


def test_committed_specs_and_package_are_what_build_produces(tmp_path: Path) -> None:
    layout = pipeline.Layout(EXAMPLES, ROOT / "specs", ROOT / "generated", tmp_path / "cache")
    outcome = pipeline.check(layout, load_options(ROOT / "pyproject.toml"))
    assert outcome.in_sync, "\n".join(pipeline.describe(outcome)) + "\nrun: wechatpay-codegen build"


def test_the_readme_usage_example_passes_mypy_strict_against_the_committed_package(
    tmp_path: Path, mypy_cache: Path
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The generated package") :]
    example = re.search(r"```python\n(.*?)```", section, re.S)
    assert example is not None, "the README's generated-package section has no python example"
    shutil.copytree(ROOT / "generated" / "wechatpay", tmp_path / "wechatpay")
    # `request` stands for the web framework's request object the example's webhook line reads
    (tmp_path / "usage.py").write_text("from typing import Any\n\nrequest: Any = None\n" + example.group(1))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", f"--cache-dir={mypy_cache}", "usage.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
