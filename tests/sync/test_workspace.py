"""Content hashes, the cache, only-changed writes, the journaled two-tree commit, and the lock."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from generator import workspace
from generator.workspace import Cache, LockedError, TreeUpdate, commit, digest, lock, read_tree, recover, tree_digest

OLD_SPECS = {"a.yaml": b"a: 1\n", "pay/b.yaml": b"b: 1\n", "gone/c.yaml": b"c: 1\n"}
NEW_SPECS = {"a.yaml": b"a: 1\n", "pay/b.yaml": b"b: 2\n", "pay/d.yaml": b"d: 1\n"}
OLD_CODE = {"pkg/__init__.py": b"", "pkg/pay.py": b"x = 1\n", "pkg/gone.py": b"y = 1\n"}
NEW_CODE = {"pkg/__init__.py": b"", "pkg/pay.py": b"x = 2\n", "pkg/new/mod.py": b"z = 1\n"}


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


@pytest.fixture
def trees(tmp_path: Path) -> tuple[Path, Path]:
    specs, out = tmp_path / "specs", tmp_path / "generated"
    write_tree(specs, OLD_SPECS)
    write_tree(out, OLD_CODE)
    return specs, out


def updates(specs: Path, out: Path) -> list[TreeUpdate]:
    return [
        TreeUpdate.between(specs, read_tree(specs), NEW_SPECS),
        TreeUpdate.between(out, read_tree(out), NEW_CODE),
    ]


def test_digest_separates_parts_and_tree_digest_ignores_order() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("x") == digest(b"x")
    assert tree_digest({"a": b"1", "b": b"2"}) == tree_digest(dict(reversed(list({"a": b"1", "b": b"2"}.items()))))


def test_cache_round_trip(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    key = digest("page")
    assert cache.get(key) is None
    cache.put(key, b"spec")
    assert cache.get(key) == b"spec"
    assert list((tmp_path / "cache").rglob("*.tmp")) == []


def test_cache_prune_drops_only_entries_no_run_has_used_for_a_month(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    idle, read, fresh = digest("idle"), digest("read"), digest("fresh")
    for key in (idle, read, fresh):
        cache.put(key, key.encode())
    long_ago = time.time() - 40 * 24 * 3600
    for key in (idle, read):
        os.utime(tmp_path / "cache" / key[:2] / key[2:], (long_ago, long_ago))
    assert cache.get(read) == read.encode()  # a read marks the entry used
    assert cache.prune() == 1
    assert cache.get(idle) is None and cache.get(read) and cache.get(fresh)
    os.utime(tmp_path / "cache" / fresh[:2] / fresh[2:], (long_ago, long_ago))
    assert cache.prune() == 0 and cache.get(fresh)  # pruned once a day at most
    assert Cache(tmp_path / "nothing").prune() == 0


def test_trees_leave_out_control_files_and_bytecode(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a.py": b"", "__pycache__/a.pyc": b"", "b.pyc": b"", ".wechatpay-codegen.lock": b"1"})
    assert list(read_tree(tmp_path)) == ["a.py"]


def test_update_writes_only_changed_files_and_removes_emptied_folders(trees: tuple[Path, Path]) -> None:
    specs, out = trees
    before = {name: os.stat(specs / name) for name in ("a.yaml", "pay/b.yaml")}
    commit(updates(specs, out), out)
    assert read_tree(specs) == NEW_SPECS and read_tree(out) == NEW_CODE
    unchanged, changed = os.stat(specs / "a.yaml"), os.stat(specs / "pay/b.yaml")
    assert (unchanged.st_ino, unchanged.st_mtime_ns) == (before["a.yaml"].st_ino, before["a.yaml"].st_mtime_ns)
    assert changed.st_ino != before["pay/b.yaml"].st_ino
    assert not (specs / "gone").exists()
    assert sorted(p.name for p in out.iterdir()) == ["pkg"]  # no journal, no staging left


def test_nothing_to_change_writes_nothing(trees: tuple[Path, Path]) -> None:
    specs, out = trees
    no_change = [TreeUpdate.between(specs, read_tree(specs), OLD_SPECS)]
    assert not no_change[0]
    commit(no_change, out)
    assert not workspace.has_pending_journal(out)


def test_new_files_keep_the_usual_permissions(trees: tuple[Path, Path]) -> None:
    specs, out = trees
    commit(updates(specs, out), out)
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "pkg/new/mod.py").stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("dies_after", range(4))  # 4 staged files
def test_a_run_dying_while_applying_is_read_as_committed_and_finished_by_recovery(
    trees: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, dies_after: int
) -> None:
    specs, out = trees
    moves = 0
    real_replace = Path.replace

    def replace_then_die(self: Path, target: Path) -> Path:
        nonlocal moves
        if workspace.STAGING in str(self):
            if moves == dies_after:
                raise KeyboardInterrupt  # the run dies here, the journal stays
            moves += 1
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace_then_die)
    with pytest.raises(KeyboardInterrupt):
        commit(updates(specs, out), out)
    monkeypatch.undo()

    assert workspace.has_pending_journal(out)
    assert read_tree(specs, journal_roots=[out]) == NEW_SPECS
    assert read_tree(out, journal_roots=[out]) == NEW_CODE
    assert recover(out, [specs, out]) is True
    assert read_tree(specs) == NEW_SPECS and read_tree(out) == NEW_CODE
    assert not workspace.has_pending_journal(out) and not (specs / workspace.STAGING).exists()


def test_a_run_dying_before_the_commit_point_changes_nothing(
    trees: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    specs, out = trees

    def die(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(workspace, "_write_journal", die)
    with pytest.raises(KeyboardInterrupt):
        commit(updates(specs, out), out)
    assert read_tree(specs, journal_roots=[out]) == OLD_SPECS and read_tree(out, journal_roots=[out]) == OLD_CODE
    assert not (specs / workspace.STAGING).exists()


def test_recovery_throws_away_staging_an_uncommitted_run_left(trees: tuple[Path, Path]) -> None:
    specs, out = trees
    write_tree(specs, {f"{workspace.STAGING}/000000": b"half"})
    assert recover(out, [specs, out]) is False
    assert not (specs / workspace.STAGING).exists() and read_tree(specs) == OLD_SPECS


def test_a_second_writer_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    with lock(tmp_path):
        with pytest.raises(LockedError, match=f"pid {os.getpid()}"):
            with lock(tmp_path):
                pass
    assert not (tmp_path / workspace.LOCK).exists()


def test_readers_share_the_lock_and_keep_writers_out(tmp_path: Path) -> None:
    with lock(tmp_path, shared=True), lock(tmp_path, shared=True):
        with pytest.raises(LockedError):
            with lock(tmp_path):
                pass
    assert not (tmp_path / workspace.LOCK).exists()
    with lock(tmp_path) as held:
        assert held.stale_pid is None


def test_a_lock_file_a_killed_run_left_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / workspace.LOCK).write_text("999999999\n")
    with lock(tmp_path) as held:
        assert held.stale_pid == 999999999
        assert (tmp_path / workspace.LOCK).read_text() == f"{os.getpid()}\n"


def test_an_update_may_replace_or_delete_only_what_the_manifest_lists(trees: tuple[Path, Path]) -> None:
    specs, _ = trees
    listed = workspace.with_manifest({"a.yaml": b"", "pay/b.yaml": b""})  # gone/c.yaml is not the tool's
    current = {**read_tree(specs), workspace.MANIFEST: listed[workspace.MANIFEST]}
    update = TreeUpdate.between(specs, current, workspace.with_manifest(NEW_SPECS))
    with pytest.raises(workspace.WorkspaceError, match="holds gone/c.yaml, which wechatpay-codegen did not write"):
        workspace.refuse_foreign(update, current, lambda name, data: True)
    legacy = read_tree(specs)  # no manifest: the legacy rule decides
    workspace.refuse_foreign(TreeUpdate.between(specs, legacy, NEW_SPECS), legacy, lambda name, data: True)


def test_overlapping_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(workspace.WorkspaceError, match="overlaps"):
        workspace.refuse_overlaps({"specs": tmp_path / "out/specs", "out": tmp_path / "out"}, {})
    with pytest.raises(workspace.WorkspaceError, match="overlaps the docs folder"):
        workspace.refuse_overlaps({"out": tmp_path}, {"docs": tmp_path / "docs"})
    workspace.refuse_overlaps({"specs": tmp_path / "specs", "out": tmp_path / "out"}, {"docs": tmp_path / "docs"})


def test_names_too_long_and_symlinked_folders_are_refused_before_the_commit_point(trees: tuple[Path, Path], tmp_path: Path) -> None:
    specs, out = trees
    with pytest.raises(workspace.WorkspaceError, match="name too long"):
        commit([TreeUpdate(out, {"pkg/" + "m" * 300 + ".py": b""})], out)
    (specs / "linked").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(workspace.WorkspaceError, match="symlinked folder"):
        commit([TreeUpdate(specs, {"linked/x.yaml": b""})], out)
    assert not workspace.has_pending_journal(out) and not (tmp_path / "x.yaml").exists()
