"""The tool and the package it makes, installed the way users install them: wheels in fresh virtual environments,
nothing editable, no source tree on `sys.path` (every command runs from a temporary folder).

- the tool's wheel builds and checks the example pages; what it writes is what the editable tool committed;
- `pip install ./generated` leaves nothing in `generated/` that `check` or `build` trips on;
- the generated package's wheel and sdist build with `python -m build` and install into a fresh venv;
- `pre-commit try-repo` runs the project's hook (pre-commit installs the tool from a repository as pip does).

The index is asked once, for a wheelhouse holding every wheel the tests install; every later install reads only
that folder (`PIP_NO_INDEX`), pre-commit's and the isolated builds' included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import venv
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow
TOOL_SOURCES = ["generator", "templates", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml"]
BUILD_TOOLS = ["build", "setuptools>=68"]  # `python -m build --no-isolation`, and pip's isolated builds
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.com"}
GIT_IDENTITY |= {"GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.com"}


def run(
    command: list[str | Path], cwd: Path, env: dict[str, str] | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    """`command` in `cwd`, with no PYTHONPATH (only what is installed can be imported); a failure, unless not `ok`
    is expected, fails the test with the command's output."""
    inherited = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment = inherited | GIT_IDENTITY | (env or {})
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=environment, capture_output=True, text=True)
    if ok and done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


@dataclass(frozen=True)
class Venv:
    """A fresh virtual environment, filled from the wheelhouse by this interpreter's pip (seeding a pip of its own
    costs ~20 s)."""

    root: Path
    wheels: Path

    @classmethod
    def create(cls, root: Path, wheels: Path) -> Venv:
        venv.create(root, with_pip=False)
        return cls(root, wheels)

    def bin(self, name: str) -> Path:
        return self.root / "bin" / name

    def install(self, *what: str | Path, cwd: Path) -> None:
        pip = [sys.executable, "-m", "pip", "--python", self.bin("python"), "install", "--quiet", "--no-compile"]
        run([*pip, *what], cwd, offline(self.wheels))


def offline(wheels: Path) -> dict[str, str]:
    """pip's settings for reading the wheelhouse only, for this process and every pip it starts."""
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}


def copy_tool_source(into: Path) -> Path:
    """The files the tool's distribution is made of (so that building it writes nothing into the project)."""
    for name in TOOL_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, into / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, into / name)
    return into


def copy_sdk_repository(into: Path) -> Path:
    """A merchant's SDK repository: the example pages, and the specs and package committed from them."""
    shutil.copytree(EXAMPLES, into / "examples" / "docs")
    for tree in ("specs", "generated"):
        shutil.copytree(ROOT / tree, into / tree, ignore=shutil.ignore_patterns("__pycache__", ".wechatpay-codegen*"))
    return into


def git_repository(folder: Path) -> Path:
    """`folder` as a git repository with one commit holding everything in it."""
    run(["git", "init", "--quiet"], folder)
    run(["git", "add", "--all"], folder)
    run(["git", "commit", "--quiet", "--message", "snapshot"], folder)
    return folder


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("install")


@pytest.fixture(scope="module")
def wheelhouse(work: Path) -> Path:
    """The tool's wheel and, in one resolution, every wheel the tests install: the tool's and the generated
    package's dependencies and the build tools."""
    generated = tomllib.loads((ROOT / "generated/pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [copy_tool_source(work / "tool-source"), *generated["dependencies"], *BUILD_TOOLS]
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", work / "wheels", *wanted], work)
    return work / "wheels"


@pytest.fixture(scope="module")
def tool(work: Path, wheelhouse: Path) -> Venv:
    """A fresh venv holding the tool, installed from its wheel."""
    environment = Venv.create(work / "tool-venv", wheelhouse)
    environment.install("wechatpay-codegen", cwd=work)
    return environment


def test_the_installed_tool_builds_and_checks_the_example_pages(tool: Venv, work: Path) -> None:
    repository = copy_sdk_repository(work / "sdk")
    codegen = tool.bin("wechatpay-codegen")
    # the installed tool agrees with the editable one on the committed trees, byte for byte
    assert "in sync" in run([codegen, "check", "--quiet"], repository).stdout
    # and builds them anew
    folders = ["--specs", "specs-2", "--out", "generated-2", "--quiet"]
    run([codegen, "build", *folders], repository)
    assert "in sync" in run([codegen, "check", *folders], repository).stdout
    runtime = "generated-2/wechatpay/_runtime/transport.py"
    assert (repository / runtime).read_bytes() == (ROOT / "templates/runtime/transport.py").read_bytes()


def test_pip_install_of_the_generated_package_leaves_nothing_check_or_build_trips_on(tool: Venv, work: Path) -> None:
    repository = copy_sdk_repository(work / "sdk-installed")
    tool.install(repository / "generated", cwd=work)  # not editable: pip builds inside generated/
    artefacts = [p.name for p in (repository / "generated").iterdir() if p.name == "build" or p.suffix == ".egg-info"]
    assert artefacts, "pip left no build folder: the test would prove nothing"
    codegen = tool.bin("wechatpay-codegen")
    assert "in sync" in run([codegen, "check"], repository).stdout
    assert "0 written, 0 removed" in run([codegen, "build", "--quiet"], repository).stdout


def test_the_generated_wheel_and_sdist_build_and_install_into_a_fresh_venv(tool: Venv, work: Path) -> None:
    distribution = shutil.copytree(
        ROOT / "generated", work / "distribution", ignore=shutil.ignore_patterns("__pycache__")
    )
    tool.install(*BUILD_TOOLS, cwd=work)  # building in the tool's venv: no isolated environment per step
    run([tool.bin("python"), "-m", "build", "--no-isolation", "--outdir", work / "dist", distribution], work)
    (wheel,), (sdist,) = (work / "dist").glob("*.whl"), (work / "dist").glob("*.tar.gz")
    merchant = Venv.create(work / "merchant-venv", tool.wheels)
    shipped = "import importlib.resources as r, wechatpay; print(sorted(p.name for p in r.files(wechatpay).iterdir()))"
    for artefact in (wheel, sdist):  # the wheel with its dependencies, then the sdist in its place
        merchant.install("--force-reinstall", *(["--no-deps"] if artefact == sdist else []), artefact, cwd=work)
        files = run([merchant.bin("python"), "-c", shipped], work).stdout
        assert all(name in files for name in ("CHANGELOG.md", "api.md", "py.typed", "_tree.pyi", "_runtime")), files
        run([merchant.bin("python"), "-c", "import wechatpay; wechatpay.Client; wechatpay.AsyncClient"], work)


def test_pre_commit_try_repo_runs_the_hook(tool: Venv, work: Path) -> None:
    fetched = run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--dest", tool.wheels, "pre-commit"], work, ok=False
    )
    if fetched.returncode != 0:
        pytest.skip(f"pre-commit cannot be installed here: {fetched.stderr.strip().splitlines()[-1:]}")
    tool.install("pre-commit", cwd=work)
    hooks = git_repository(copy_tool_source(work / "hooks-repo"))
    repository = git_repository(copy_sdk_repository(work / "sdk-pre-commit"))
    # one stale file: the hook installs the tool (as pip does, not editable), renders everything, and finds that one
    stale = repository / "generated/wechatpay/api.md"
    stale.write_text(stale.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    try_repo = [tool.bin("pre-commit"), "try-repo", hooks, "wechatpay-codegen-check", "--all-files"]
    env = offline(tool.wheels) | {"PRE_COMMIT_HOME": str(work / "pre-commit-home")}
    found = run(try_repo, repository, env, ok=False)
    assert found.returncode == 1, found.stdout + found.stderr
    assert "stale:   generated/wechatpay/api.md" in found.stdout and "1 files out of date" in found.stdout, found.stdout
