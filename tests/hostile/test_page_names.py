"""Page and folder names that would carry code into the generated package, collide, or outgrow the file system."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import workspace
from generator.workspace import TreeUpdate, commit, recover

from .conftest import WEBHOOK_PAGE, Project, import_package, no_traceback, page, payload

BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c"]


@pytest.mark.parametrize("line_break", BREAKS, ids=[f"U+{ord(b[0]):04X}" for b in BREAKS])
def test_a_folder_name_breaking_the_header_comment_is_refused_by_name(project: Project, line_break: str) -> None:
    hostile = f"webhook/v3/x{line_break}{payload(project.canary)}{line_break}#/TRANSACTION.SUCCESS.md"
    project.write_page(hostile, WEBHOOK_PAGE.read_text(encoding="utf-8"))
    project.write_page("openapi/v3/a.md", page())
    result = project.build()
    no_traceback(result)
    assert result.exit_code == 1 and "[unsafe-name]" in result.output
    assert repr(hostile.removesuffix(".md") + ".md") in result.output  # the page, named as it is
    assert not project.out.exists() or not any(project.out.iterdir())


@pytest.mark.parametrize("name", ['a"b', "a'b", "a\\b", "a b", "a;b", "ü", "a|b", "a$b", "a`b"])
def test_names_outside_the_safe_alphabet_are_errors_naming_the_page(project: Project, name: str) -> None:
    project.write_page(f"openapi/v3/{name}/x.md", page())
    result = project.build()
    no_traceback(result)
    assert result.exit_code == 1 and "[unsafe-name]" in result.output


def test_two_pages_with_one_webhook_key_are_an_error_naming_both(project: Project) -> None:
    shutil.copy(WEBHOOK_PAGE, project.write_page("webhook/v3/TRANSACTION.SUCCESS.md", ""))
    shutil.copy(WEBHOOK_PAGE, project.write_page("webhook/v3/copy/TRANSACTION.SUCCESS.md", ""))
    result = project.build()
    no_traceback(result)
    assert result.exit_code == 1 and "[duplicate-key]" in result.output
    assert "webhook/v3/TRANSACTION.SUCCESS.md" in result.output and "webhook/v3/copy/TRANSACTION.SUCCESS.md" in result.output


LONG_MODULE = "/".join(["segment-" + "x" * 20] * 10) + ".md"  # each name short, the module name ~290 bytes
LONG_FILE = "openapi/v3/" + "y" * 250 + ".md"  # the page fits in 255 bytes, its `.yaml` does not


@pytest.mark.parametrize("long_page", [LONG_MODULE, LONG_FILE], ids=["module", "spec-file"])
def test_a_name_too_long_is_an_error_before_the_commit_and_the_next_build_works(project: Project, long_page: str) -> None:
    project.write_page("openapi/v3/a.md", page())
    assert project.build().exit_code == 0
    project.write_page(long_page, page())
    result = project.build()
    no_traceback(result)
    assert result.exit_code == 1 and "[name-too-long]" in result.output
    assert not workspace.has_pending_journal(project.out)
    (project.docs / long_page).unlink()
    assert project.build().exit_code == 0
    assert import_package(project.out, project.root).returncode == 0


def test_a_committed_journal_the_file_system_refuses_is_discarded_once_with_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    monkeypatch.setattr(workspace, "_check_update", lambda update: None)  # as a journal of an older version
    monkeypatch.setattr(workspace, "_apply", lambda journal, root: (_ for _ in ()).throw(KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):  # killed after the commit point
        commit([TreeUpdate(tree, {"z" * 300 + ".py": b"", "ok.py": b""})], tree)
    monkeypatch.undo()
    assert workspace.has_pending_journal(tree)
    with pytest.raises(workspace.WorkspaceError, match="could not be applied .* discarded"):
        recover(tree, [tree])
    assert not workspace.has_pending_journal(tree) and not (tree / workspace.STAGING).exists()
    assert recover(tree, [tree]) is False  # no longer wedged


def test_diff_fails_on_a_refused_page_rather_than_reporting_no_change(project: Project, tmp_path: Path) -> None:
    project.write_page("openapi/v3/a.md", page())
    old = tmp_path / "old-docs"
    shutil.copytree(project.docs, old)
    project.write_page(f"webhook/v3/x\n{payload(project.canary)}\n#/TRANSACTION.SUCCESS.md", WEBHOOK_PAGE.read_text(encoding="utf-8"))
    result = project.cli("diff", str(old), str(project.docs))
    no_traceback(result)
    assert result.exit_code == 1 and "[unsafe-name]" in result.output


def test_generate_refuses_two_specs_with_one_webhook_key_naming_both(project: Project, tmp_path: Path) -> None:
    shutil.copy(WEBHOOK_PAGE, project.write_page("webhook/v3/TRANSACTION.SUCCESS.md", ""))
    assert project.cli("parse", str(project.docs), "-o", str(project.specs)).exit_code == 0
    copy = project.specs / "webhook/v3/copy/TRANSACTION.SUCCESS.yaml"
    copy.parent.mkdir()
    shutil.copy(project.specs / "webhook/v3/TRANSACTION.SUCCESS.yaml", copy)
    for command in (["generate", "-o", str(tmp_path / "package")], ["bundle", "-o", str(tmp_path / "all.yaml")]):
        result = project.cli(command[0], str(project.specs), *command[1:])
        no_traceback(result)
        assert result.exit_code == 1 and "webhook/v3/copy/TRANSACTION.SUCCESS.yaml" in result.output
        assert "also documented by webhook/v3/TRANSACTION.SUCCESS.yaml" in result.output
