"""Files the tool did not write are never replaced or deleted; folders that overlap are refused; no symlink leads a
read or a write out of its folder; `generate` takes the same lock as `build`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import workspace

from .conftest import Project, no_traceback, page, snapshot


@pytest.fixture
def built(project: Project) -> Project:
    project.write_page("openapi/v3/pay/a.md", page())
    project.write_page("openapi/v3/pay/b.md", page())
    result = project.build()
    assert result.exit_code == 0, result.output
    return project


def outside(project: Project) -> dict[str, tuple[int, int]]:
    return snapshot(project.root, skip=(project.specs, project.out, project.root / "cache"))


def test_generate_into_a_folder_holding_its_sources_is_refused(built: Project) -> None:
    before = outside(built)
    result = built.cli("generate", str(built.specs), "-o", str(built.root))
    no_traceback(result)
    assert result.exit_code == 1 and "overlaps the specs folder" in result.output
    assert outside(built) == before


def test_generate_into_a_folder_of_other_files_replaces_none_of_them(built: Project, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    (target / "wechatpay").mkdir(parents=True)
    (target / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    (target / "wechatpay/notes.py").write_text("mine = 1\n")
    before = snapshot(target)
    result = built.cli("generate", str(built.specs), "-o", str(target))
    no_traceback(result)
    assert result.exit_code == 1 and "did not write" in result.output
    assert snapshot(target) == before


def test_generate_twice_replaces_and_removes_only_its_own_files(built: Project, tmp_path: Path) -> None:
    target = tmp_path / "package"
    assert built.cli("generate", str(built.specs), "-o", str(target)).exit_code == 0
    module = target / "wechatpay/_specs/openapi_v3_pay_b.py"
    assert module.is_file()
    (built.specs / "openapi/v3/pay/b.yaml").unlink()
    result = built.cli("generate", str(built.specs), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert not module.exists() and (target / "wechatpay/_specs/openapi_v3_pay_a.py").is_file()


def test_generate_takes_the_lock_build_takes(built: Project) -> None:
    with workspace.lock(built.out):
        result = built.cli("generate", str(built.specs), "-o", str(built.out))
    no_traceback(result)
    assert result.exit_code == 1 and f"pid {os.getpid()}" in result.output


def test_parse_into_a_folder_holding_a_git_repository_deletes_nothing(project: Project, tmp_path: Path) -> None:
    project.write_page("openapi/v3/pay/a.md", page())
    target = tmp_path / "repository"
    (target / ".git").mkdir(parents=True)
    (target / ".git/config").write_text("[core]\n")
    (target / "README.md").write_text("mine\n")
    before = snapshot(target)
    result = project.cli("parse", str(project.docs), "-o", str(target))
    no_traceback(result)
    assert result.exit_code == 1 and "did not write" in result.output
    assert snapshot(target) == before


def test_build_leaves_yaml_it_did_not_write(built: Project) -> None:
    (built.specs / "values.yaml").write_text("replicas: 3\n")
    (built.specs / ".github/workflows").mkdir(parents=True)
    (built.specs / ".github/workflows/ci.yaml").write_text("on: push\n")
    before = snapshot(built.specs)
    result = built.build()
    no_traceback(result)
    assert result.exit_code == 1 and "values.yaml" in result.output
    assert snapshot(built.specs) == before


def test_a_page_removed_from_the_docs_still_loses_its_files(built: Project) -> None:
    (built.docs / "openapi/v3/pay/b.md").unlink()
    assert built.build().exit_code == 0
    assert not (built.specs / "openapi/v3/pay/b.yaml").exists()
    assert not (built.out / "wechatpay/_specs/openapi_v3_pay_b.py").exists()


def test_a_tree_written_before_manifests_is_adopted(built: Project) -> None:
    (built.specs / workspace.MANIFEST).unlink()
    (built.out / workspace.MANIFEST).unlink()
    (built.docs / "openapi/v3/pay/b.md").unlink()
    result = built.build()
    assert result.exit_code == 0, result.output
    assert not (built.specs / "openapi/v3/pay/b.yaml").exists()


@pytest.mark.parametrize(("specs", "out"), [("generated/specs", "generated"), ("specs", "specs/generated"), ("same", "same")])
def test_overlapping_output_folders_are_refused(project: Project, specs: str, out: str) -> None:
    project.write_page("openapi/v3/pay/a.md", page())
    before = outside(project)
    result = project.cli("build", "--docs", str(project.docs), "--specs", str(project.root / specs), "--out", str(project.root / out))
    no_traceback(result)
    assert result.exit_code == 1 and "overlaps" in result.output
    assert outside(project) == before


def test_output_folders_inside_the_docs_are_refused(project: Project) -> None:
    project.write_page("openapi/v3/pay/a.md", page())
    result = project.cli("parse", str(project.docs), "-o", str(project.docs / "specs"))
    assert result.exit_code == 1 and "overlaps the docs folder" in result.output


@pytest.mark.parametrize("tree", ["specs", "out"])
def test_nothing_is_written_through_a_symlinked_folder_inside_a_tree(built: Project, tmp_path: Path, tree: str) -> None:
    root = built.specs if tree == "specs" else built.out
    folder = root / ("openapi/v3/pay" if tree == "specs" else "wechatpay/_specs")
    elsewhere = tmp_path / "elsewhere"
    folder.rename(elsewhere)
    folder.symlink_to(elsewhere, target_is_directory=True)
    before = snapshot(elsewhere)
    built.write_page("openapi/v3/pay/c.md", page())
    result = built.build()
    no_traceback(result)
    assert result.exit_code == 1 and "symlinked folder" in result.output
    assert snapshot(elsewhere) == before


def test_a_page_symlink_out_of_the_docs_is_not_read(project: Project, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(page(title="secret"), encoding="utf-8")
    project.write_page("openapi/v3/pay/a.md", page())
    (project.docs / "openapi/v3/pay/leak.md").symlink_to(secret)
    (project.docs / "openapi/v3/linked").symlink_to(tmp_path, target_is_directory=True)
    result = project.build()
    no_traceback(result)
    assert result.exit_code == 1 and "[outside-docs]" in result.output and "leak.md" in result.output
    assert not any("secret" in p.name for p in project.root.rglob("*"))


def test_a_bundle_among_the_specs_is_refused(built: Project) -> None:
    result = built.cli("bundle", str(built.specs), "-o", str(built.specs / "all.yaml"))
    assert result.exit_code == 1 and not (built.specs / "all.yaml").exists()
