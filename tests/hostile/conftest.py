"""Hostile input: pages, specs and folders written by someone who wants code to run, files to go or a run to hang.

Every payload that could become code touches a canary file when executed; each test then checks that the canary is
absent, that no run ended in a traceback, and that nothing outside the output folders changed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "docs"
WEBHOOK_PAGE = EXAMPLES / "webhook/v3/TRANSACTION.SUCCESS.md"

PAGE = """---
title: {title}
---

# {{{{ $frontmatter.title }}}} {{#post}}

| 请求参数 | 类型 {{.type}} | 描述 {{.desc}}
| --- | --- | ---
| json {{data-required}} | object | 请求的JSON
{rows}

{{.im-table #request}}

| 返回字典 | 类型 {{.type}} | 描述 {{.desc}}
| --- | --- | ---
| 空字符串(无返回内容) {{align=center colspan=3}}

{{.im-table #response}}
"""


def page(rows: list[str] | None = None, title: str = "一个接口") -> str:
    """A v3 JSON POST page whose body has `rows` (each a whole table line; by default one string field)."""
    return PAGE.format(title=title, rows="\n".join(rows or ["| mchid {data-required data-indent=1} | string | 商户号"]))


def payload(canary: Path) -> str:
    """Python that, if it ever runs, leaves the canary behind."""
    return f"__import__('pathlib').Path({str(canary)!r}).touch()"


@dataclass
class Project:
    """A scratch project: docs, the two output trees, a cache (its own, unless one is given), a bystander file, and
    the canary."""

    root: Path
    canary: Path
    shared_cache: Path | None = None

    @property
    def cache(self) -> Path:
        return self.shared_cache or self.root / "cache"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def specs(self) -> Path:
        return self.root / "specs"

    @property
    def out(self) -> Path:
        return self.root / "generated"

    def write_page(self, name: str, text: str) -> Path:
        path = self.docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def cli(self, *args: str) -> Result:
        """One command in this process, with the project's `--cache`."""
        cache = ["--cache", str(self.cache)] if args[0] in ("parse", "build", "check", "diff") else []
        return CliRunner().invoke(main, [*args, *cache], catch_exceptions=True)

    def build(self) -> Result:
        return self.cli("build", "--docs", str(self.docs), "--specs", str(self.specs), "--out", str(self.out), "--jobs", "1")


def no_traceback(result: Result) -> None:
    """Exit 0, 1 or 3, never an exception escaping the command."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1, 3), result.output


def import_package(out: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Import everything a user touches in the generated package (in a child process: it may be hostile)."""
    code = "import wechatpay, wechatpay.models, wechatpay.webhooks, wechatpay._tree, wechatpay._client, wechatpay._specs"
    code += "; import importlib, pkgutil; [importlib.import_module('wechatpay._specs.' + m.name) for m in pkgutil.iter_modules(wechatpay._specs.__path__)]"
    env = {**os.environ, "PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def snapshot(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file below `root` but those below `skip`: what a run must leave alone."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) not in skip]
        for name in files:
            path = Path(folder, name)
            stat = path.lstat()
            found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    made = Project(tmp_path / "project", tmp_path / "CANARY")
    made.docs.mkdir(parents=True)
    (made.root / "bystander.txt").write_text("not the tool's")
    yield made
    assert not made.canary.exists(), "hostile input ran as code"
