"""Docs from git: `REPO@REF[:FOLDER]` reads a repository's pages at a branch, tag, commit or date, without a
checkout; the commit's date versions what is built from it; a ref is never read as an option."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator.cli import main
from generator.snapshot import GitDocs, SnapshotError, opened, parse_source
from tests.conftest import EXAMPLES

JSAPI = "docs/openapi/v3/pay/transactions/jsapi.md"
REQUIRED_APPID = "| appid {data-required data-indent=1} |"


@dataclass(frozen=True)
class Repository:
    path: Path
    first: str  # the example pages, committed 2026-08-22, tagged v1
    second: str  # appid no longer required, committed 2026-09-01


def git(repo: Path, *args: str, when: str = "2026-01-01T00:00:00Z") -> str:
    identity = {"GIT_AUTHOR_NAME": "docs", "GIT_AUTHOR_EMAIL": "docs@example.com", "GIT_COMMITTER_NAME": "docs"}
    identity |= {"GIT_COMMITTER_EMAIL": "docs@example.com", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", *args], cwd=repo, env=os.environ | identity, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    """A docs site's repository with two commits of the example pages, the pages in its `docs/` folder."""
    path = tmp_path_factory.mktemp("site")
    shutil.copytree(EXAMPLES, path / "docs")
    git(path, "init", "--quiet")
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "pages", when="2026-08-22T10:00:00Z")
    git(path, "tag", "v1")
    page = path / JSAPI
    page.write_text(page.read_text(encoding="utf-8").replace(REQUIRED_APPID, "| appid {data-indent=1} |", 1), "utf-8")
    git(path, "commit", "--quiet", "-am", "appid optional", when="2026-09-01T10:00:00Z")
    return Repository(path, git(path, "rev-parse", "v1"), git(path, "rev-parse", "HEAD"))


def codegen(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_diff_between_two_commits_shows_the_change(repository: Repository, cache: Path) -> None:
    old, new = f"{repository.path}@{repository.first}:docs", f"{repository.path}@{repository.second}:docs"
    result = codegen("diff", old, new, "--format", "json", "--cache", cache)
    assert result.exit_code == 0, result.output
    changes = [(c["kind"], c["operation"], c["where"]) for c in json.loads(result.output)["changes"]]
    assert changes == [("required-changed", "POST /v3/pay/transactions/jsapi", "request body appid")]
    assert codegen("diff", old, f"{repository.path}@v1:docs", "--cache", cache).output.startswith("0 operations")
    assert git(repository.path, "status", "--porcelain") == ""  # read without a checkout: the work tree untouched


def test_a_build_from_a_tag_is_versioned_by_its_commit_date(
    repository: Repository, cache: Path, tmp_path: Path
) -> None:
    folders = ["--specs", tmp_path / "specs", "--out", tmp_path / "generated", "--cache", cache, "--quiet"]
    tag = f"{repository.path}@v1:docs"
    assert codegen("build", "--docs", tag, *folders).exit_code == 0
    assert 'version = "2026.8.22"' in (tmp_path / "generated/pyproject.toml").read_text(encoding="utf-8")
    assert codegen("check", "--docs", tag, *folders).exit_code == 0
    later = codegen("check", "--docs", f"{repository.path}@HEAD:docs", *folders)
    assert later.exit_code == 1 and "jsapi.yaml" in later.output and "pyproject.toml" in later.output
    assert codegen("build", "--docs", tag, "--version", "3.0.0", *folders).exit_code == 0
    assert 'version = "3.0.0"' in (tmp_path / "generated/pyproject.toml").read_text(encoding="utf-8")


def test_a_date_names_the_last_commit_on_or_before_it(repository: Repository) -> None:
    for day, commit_day in [
        ("2026-08-22", date(2026, 8, 22)),
        ("2026-08-31", date(2026, 8, 22)),
        ("2026-09-02", date(2026, 9, 1)),
    ]:
        with opened(parse_source(f"{repository.path}@{day}:docs")) as snapshot:
            assert snapshot.day == commit_day and (snapshot.folder / "openapi/index.md").is_file()
    with pytest.raises(SnapshotError, match="names no commit"):
        with opened(GitDocs(repository.path, "2026-08-01", "docs")):
            pass


def test_a_ref_is_never_read_as_an_option(repository: Repository, tmp_path: Path) -> None:
    planted = tmp_path / "planted"
    for ref in ["-x", f"--output={planted}", "--exec=touch planted"]:
        result = codegen("diff", f"{repository.path}@{ref}", f"{repository.path}@HEAD")
        assert result.exit_code == 2 and "must not start with '-'" in result.output
    result = codegen("diff", f"{repository.path}@HEAD --output={planted}", f"{repository.path}@HEAD")
    assert result.exit_code == 1 and "names no commit" in result.output
    assert not planted.exists() and not (repository.path / "planted").exists()


def test_unknown_refs_and_folders_are_errors_naming_them(repository: Repository) -> None:
    result = codegen("diff", f"{repository.path}@nope:docs", f"{repository.path}@HEAD:docs")
    assert result.exit_code == 1 and f"{repository.path}@nope:docs: `nope` names no commit" in result.output
    result = codegen("check", "--docs", f"{repository.path}@HEAD:nodocs")
    assert result.exit_code == 1 and f"{repository.path}@HEAD:nodocs: git archive failed" in result.output


def test_an_existing_folder_is_a_folder_even_with_an_at_sign(tmp_path: Path) -> None:
    (tmp_path / "docs@v1").mkdir()
    assert parse_source(str(tmp_path / "docs@v1")) == tmp_path / "docs@v1"
    assert parse_source(f"{tmp_path}@v1:docs") == GitDocs(tmp_path, "v1", "docs")
    with pytest.raises(SnapshotError, match="no such folder"):
        parse_source(str(tmp_path / "missing@v1"))


def test_a_link_out_of_the_repository_is_refused(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "docs")
    (tmp_path / "docs/openapi/secret.md").symlink_to("/etc/passwd")
    git(tmp_path, "init", "--quiet")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "-m", "a link out")
    result = codegen("diff", f"{tmp_path}@HEAD:docs", f"{tmp_path}@HEAD:docs")
    assert result.exit_code == 1 and "may not be extracted" in result.output and "secret.md" in result.output
