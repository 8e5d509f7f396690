"""The output folders as one unit: content hashes, a cache, a lock, and an atomic update of several trees at once.

How `specs/` and `generated/` change together, even under SIGKILL or power loss
-------------------------------------------------------------------------------
A build computes every output file in memory, compares it with what is on disk, and commits only the difference:

1. stage: each changed file is written, and fsynced, into a staging folder inside its own tree
   (`<tree>/.wechatpay-codegen-staging/`, so that moving it into place is a rename on one file system);
2. commit: a journal listing, per tree, the files to delete and the staged file for each path to write is written to
   a temporary name, fsynced, and renamed to `<first tree>/.wechatpay-codegen-journal.json`. That rename is the one
   commit point: before it the trees are untouched (the next run throws the staging away), after it the update is
   decided;
3. apply: deletions, then a rename per staged file; then the journal and the staging folders are removed.

Applying is idempotent (a staged file that is gone has been moved already), so a run that dies while applying is
completed by the next one, which rolls the journal forward before anything else. Until then the journal is part of
the trees' state, as a write-ahead log is part of a database's: `read_tree` reads through it, so `check` (which
writes nothing) sees the committed state, never the half-applied one. Ctrl-C and SIGTERM are held back while applying.

Unchanged files are never rewritten, so their mtimes and inodes stay. A writing run holds an exclusive
flock on `<first tree>/.wechatpay-codegen.lock`, a reading one (`check`) a shared one. The kernel drops an flock when
its holder dies, however it dies, so a lock file a killed run left is never mistaken for a live lock (a pid can be
reused; an flock cannot outlive its process). The writer records its pid there: a second run names it in its
message, and a run that finds a pid in a free lock file knows the previous run was killed. The last holder removes
the file.

Ownership: each tree lists the files the tool wrote in its manifest (`<tree>/.wechatpay-manifest.json`, a content file
committed with the rest, so a fresh checkout knows them too). An update may delete or overwrite only those; a file
the manifest does not list and the update would change is refused by name (`owned_update`). Nothing is written
or deleted through a symlinked folder inside a tree, and every name is checked against the file system's limits
before the commit point, so no committed journal fails on a name. A journal that still cannot be applied is
discarded with an error that says so, rather than failing every later run the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

CONTROL_PREFIX = ".wechatpay-codegen"
STAGING = f"{CONTROL_PREFIX}-staging"
JOURNAL = f"{CONTROL_PREFIX}-journal.json"
LOCK = f"{CONTROL_PREFIX}.lock"
JOURNAL_VERSION = 1
MANIFEST = ".wechatpay-manifest.json"
NAME_MAX = 255  # bytes in one path component (ext4, APFS, NTFS): a longer name fails only when it is written
PATH_MAX = 4096


# --------------------------------------------------------------------------------------------- hashing


def digest(*parts: bytes | str) -> str:
    """SHA-256 of a sequence of parts; each is length-prefixed so that (`ab`, `c`) and (`a`, `bc`) differ."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def tree_digest(files: Mapping[str, bytes]) -> str:
    """One hash for a whole tree, independent of the order its files were listed in."""
    return digest(*(part for name in sorted(files) for part in (name, files[name])))


# --------------------------------------------------------------------------------------------- cache


class Cache:
    """A content-addressed store: `key -> bytes`, one file per entry, written atomically so concurrent runs can share it.
    A read marks its entry used (mtime), and `prune` drops entries no run has used for a while: every docs or
    generator change adds entries, and nothing else would ever remove the old ones."""

    MAX_IDLE_SECONDS = 30 * 24 * 3600
    PRUNE_INTERVAL_SECONDS = 24 * 3600  # walking a corpus-sized cache takes ~0.3 s: not on every no-op build

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / key[2:]

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # never stored, or pruned meanwhile
            return None
        with contextlib.suppress(OSError):  # marking it used is best effort: the cache may be read-only
            os.utime(path)
        return data

    def prune(self, max_idle: float = MAX_IDLE_SECONDS) -> int:
        """Remove the entries (and leftover temporary files) unused for `max_idle` seconds; how many went. Runs at
        most once per `PRUNE_INTERVAL_SECONDS`, which the `pruned` marker's mtime records."""
        marker, now = self.root / "pruned", time.time()
        with contextlib.suppress(OSError):
            if now - marker.stat().st_mtime < self.PRUNE_INTERVAL_SECONDS:
                return 0
        removed = 0
        for entry in self.root.glob("*/*") if self.root.is_dir() else []:
            with contextlib.suppress(OSError):  # gone already (a concurrent prune), or a read-only cache
                if entry.stat().st_mtime < now - max_idle:
                    entry.unlink()
                    removed += 1
        with contextlib.suppress(OSError):  # no cache folder yet, or a read-only one
            marker.touch()
        return removed

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, unless it is there already: a key always names the same content."""
        path = self._path(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


# --------------------------------------------------------------------------------------------- reading trees


# what type checkers, linters and test runners leave where they run (mypy on `generated/`, pytest beside it)
_TOOL_CACHES = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


def _is_control(name: str) -> bool:
    """Entries a tree holds that are not its content: our own, Python's byte-code and the tools' caches."""
    return name.startswith(CONTROL_PREFIX) or name in _TOOL_CACHES or name.endswith(".pyc")


def _is_packaging_artefact(name: str) -> bool:
    """What `pip install ./generated` or `python -m build` leave at a distribution's top: not the tree's content."""
    return name in ("build", "dist") or name.endswith(".egg-info")


def list_tree(root: Path) -> list[str]:
    """Relative POSIX paths of a tree's content files, sorted."""
    if not root.is_dir():
        return []
    names: list[str] = []
    for folder, dirs, files in os.walk(root):
        top = Path(folder) == root
        dirs[:] = [d for d in dirs if not _is_control(d) and not (top and _is_packaging_artefact(d))]
        base = Path(folder).relative_to(root)
        names.extend((base / f).as_posix() for f in files if not _is_control(f))
    return sorted(names)


def read_tree(root: Path, journal_roots: Iterable[Path] = ()) -> dict[str, bytes]:
    """A tree's files as committed: read through pending journals in `journal_roots` (see the module docstring)."""
    files = {name: (root / name).read_bytes() for name in list_tree(root)}
    journals = [j for j in map(_read_journal, journal_roots) if j]
    for tree in (t for journal in journals for t in journal.trees):
        if tree.root.resolve() == root.resolve():
            for name in tree.deletes:
                files.pop(name, None)
            for name, staged in tree.writes.items():
                with contextlib.suppress(FileNotFoundError):
                    files[name] = (root / STAGING / staged).read_bytes()
    return dict(sorted(files.items()))


# --------------------------------------------------------------------------------------------- updating trees


@dataclass
class TreeUpdate:
    """What must change in one tree to make it equal to the wanted one."""

    root: Path
    writes: dict[str, bytes] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)

    @classmethod
    def between(cls, root: Path, current: Mapping[str, bytes], wanted: Mapping[str, bytes]) -> TreeUpdate:
        writes = {name: data for name, data in wanted.items() if current.get(name) != data}
        return cls(root, writes, sorted(set(current) - set(wanted)))

    def __bool__(self) -> bool:
        return bool(self.writes or self.deletes)


@dataclass
class _JournalTree:
    root: Path
    writes: dict[str, str]  # path in the tree -> staged file name
    deletes: list[str]


@dataclass
class _Journal:
    trees: list[_JournalTree]


class WorkspaceError(Exception):
    """A tree cannot be updated safely; the message names the file and what to do."""


# --------------------------------------------------------------------------------------------- ownership


def with_manifest(files: Mapping[str, bytes], *more: str) -> dict[str, bytes]:
    """`files` and the manifest listing them (and `more`, files added later such as the stamp)."""
    names = sorted({*files, *more, MANIFEST})
    return {**files, MANIFEST: (json.dumps(names, indent=0) + "\n").encode()}


def owned_files(current: Mapping[str, bytes], legacy: Callable[[str, bytes], bool]) -> set[str]:
    """What the tree's manifest lists; a tree written before manifests existed: the files `legacy` recognises."""
    listed = current.get(MANIFEST)
    if listed is None:
        return {name for name, data in current.items() if legacy(name, data)}
    try:
        names = json.loads(listed)
    except ValueError:
        raise WorkspaceError(f"{MANIFEST} is not valid JSON: restore it from version control") from None
    return {name for name in names if isinstance(name, str)}


def refuse_foreign(update: TreeUpdate, current: Mapping[str, bytes], legacy: Callable[[str, bytes], bool]) -> None:
    """Refuse an update that would replace or delete a file the tool does not own: a folder holding someone
    else's files is no output folder."""
    owned = owned_files(current, legacy)
    touched = [*(name for name in update.writes if name in current), *update.deletes]
    foreign = sorted(name for name in touched if name not in owned)
    if foreign:
        more = f", and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise WorkspaceError(
            f"{update.root}: holds {', '.join(foreign[:3])}{more}, which wechatpay-codegen did not write, so it will "
            "not replace or delete them; move them away or choose another output folder"
        )


def refuse_overlaps(outputs: Mapping[str, Path], sources: Mapping[str, Path]) -> None:
    """Output folders must not overlap each other, nor hold (or lie inside) a source: each would delete the other."""
    named = [(name, path.resolve()) for name, path in outputs.items()]
    for index, (name, path) in enumerate(named):
        others = named[index + 1 :] + [(n, p.resolve()) for n, p in sources.items()]
        for other, other_path in others:
            if path == other_path or path in other_path.parents or other_path in path.parents:
                raise WorkspaceError(
                    f"the {name} folder {path} overlaps the {other} folder {other_path}: keep them apart"
                )


def _check_update(update: TreeUpdate) -> None:
    """Before the commit point: names the file system takes, and no path that leads out of the tree."""
    names = [*update.writes, *update.deletes]
    for name in names:
        target = update.root / name
        if len(os.fsencode(os.path.abspath(target))) >= PATH_MAX or any(
            len(os.fsencode(part)) > NAME_MAX for part in Path(name).parts
        ):
            raise WorkspaceError(f"{target}: name too long for the file system (at most {NAME_MAX} bytes a name)")
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise WorkspaceError(f"{target}: a path leading out of {update.root}")
    for folder in sorted({parent for name in names for parent in Path(name).parents[:-1]}):
        if (update.root / folder).is_symlink():
            raise WorkspaceError(f"{update.root / folder}: a symlinked folder inside the tree; not written through")


# --------------------------------------------------------------------------------------------- committing


def commit(updates: list[TreeUpdate], journal_root: Path) -> None:
    """Apply all updates or none of them, as far as any later reader can tell (see the module docstring)."""
    pending = [u for u in updates if u]
    if not pending:
        return
    for update in pending:
        _check_update(update)
    try:
        journal = _Journal([_stage(u) for u in pending])
        _write_journal(journal, journal_root)
    except BaseException:
        if not has_pending_journal(journal_root):  # not committed: nothing has changed
            for update in pending:
                shutil.rmtree(update.root / STAGING, ignore_errors=True)
        raise
    _apply_or_discard(journal, journal_root)


def recover(journal_root: Path, roots: Iterable[Path]) -> bool:
    """Finish a committed update a killed run left behind, or throw away an uncommitted one; True if one was finished."""
    journal = _read_journal(journal_root)
    if journal:
        _apply_or_discard(journal, journal_root)
    for root in roots:
        shutil.rmtree(root / STAGING, ignore_errors=True)
    (journal_root / f"{JOURNAL}.tmp").unlink(missing_ok=True)
    return journal is not None


def _apply_or_discard(journal: _Journal, journal_root: Path) -> None:
    """Apply a committed journal; one the file system refuses is dropped, so that it cannot fail every later run."""
    try:
        with _signals_held():
            _apply(journal, journal_root)
    except OSError as exc:
        (journal_root / JOURNAL).unlink(missing_ok=True)
        for tree in journal.trees:
            shutil.rmtree(tree.root / STAGING, ignore_errors=True)
        raise WorkspaceError(
            f"{journal_root / JOURNAL}: the committed update could not be applied ({exc.strerror}: {exc.filename}); "
            "it was discarded, so the folders may be part old, part new: run the build again"
        ) from None


def has_pending_journal(journal_root: Path) -> bool:
    return (journal_root / JOURNAL).exists()


def _stage(update: TreeUpdate) -> _JournalTree:
    staging = update.root / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    writes: dict[str, str] = {}
    for number, (name, data) in enumerate(sorted(update.writes.items())):
        writes[name] = f"{number:06d}"
        _write_durably(staging / writes[name], data)
    _fsync_dir(staging)
    return _JournalTree(update.root, writes, update.deletes)


def _write_journal(journal: _Journal, journal_root: Path) -> None:
    document = {
        "version": JOURNAL_VERSION,
        "trees": [
            {"root": os.path.relpath(t.root, journal_root), "writes": t.writes, "deletes": t.deletes}
            for t in journal.trees
        ],
    }
    tmp = journal_root / f"{JOURNAL}.tmp"
    _write_durably(tmp, json.dumps(document, indent=1).encode())
    tmp.replace(journal_root / JOURNAL)  # the commit point
    _fsync_dir(journal_root)


def _read_journal(journal_root: Path) -> _Journal | None:
    try:
        document = json.loads((journal_root / JOURNAL).read_text())
    except FileNotFoundError:
        return None
    return _Journal(
        [_JournalTree(journal_root / t["root"], t["writes"], t["deletes"]) for t in document["trees"]],
    )


def _apply(journal: _Journal, journal_root: Path) -> None:
    for tree in journal.trees:
        for name in tree.deletes:
            (tree.root / name).unlink(missing_ok=True)
        _prune_empty_dirs(tree.root, tree.deletes)
        for name, staged in tree.writes.items():
            target = tree.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):  # moved by the run that died
                (tree.root / STAGING / staged).replace(target)
        _fsync_dirs(tree.root, tree.writes)
    (journal_root / JOURNAL).unlink()
    _fsync_dir(journal_root)
    for tree in journal.trees:
        shutil.rmtree(tree.root / STAGING, ignore_errors=True)


def _prune_empty_dirs(root: Path, deleted: Iterable[str]) -> None:
    """Remove the folders deletions emptied (deepest first), never `root` itself."""
    parents = {p for name in deleted for p in Path(name).parents if p != Path(".")}
    for folder in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(FileNotFoundError, OSError):
            (root / folder).rmdir()  # fails, as wanted, while the folder holds anything


def _write_durably(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:  # not mkstemp: the file keeps the usual permissions once moved into place
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dirs(root: Path, names: Iterable[str]) -> None:
    for folder in sorted({(root / name).parent for name in names}):
        _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Defer SIGINT/SIGTERM until the block ends: applying a journal is short and better not interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals
        return
    received: list[int] = []

    def remember(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, remember) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        for signum in received[:1]:
            signal.raise_signal(signum)


# --------------------------------------------------------------------------------------------- lock


class LockedError(Exception):
    """Another run holds the lock on these folders."""


@dataclass(frozen=True)
class Lock:
    path: Path
    stale_pid: int | None  # the pid a killed run left in the lock file, if any


@contextlib.contextmanager
def lock(folder: Path, *, shared: bool = False) -> Iterator[Lock]:
    """Exclusive for a run that writes: fails at once, naming the holder. Shared for one that reads: waits."""
    path = folder / LOCK
    if shared and not folder.is_dir():
        yield Lock(path, None)  # nothing to read, nor to create for a reader
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = _acquire(path, shared)
    try:
        previous = os.read(fd, 64).decode(errors="replace").strip()
        if not shared:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield Lock(path, int(previous) if previous.isdigit() and not shared else None)
    finally:
        _release(fd, path)


def _acquire(path: Path, shared: bool) -> int:
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            if not shared:
                os.close(fd)
                raise LockedError(
                    f"{path}: another wechatpay-codegen run ({_holder(path)}) is using these folders; "
                    "wait for it to finish"
                ) from None
            fcntl.flock(fd, fcntl.LOCK_SH)
        if _same_file(fd, path):  # else its last holder removed it just before we locked: lock the new one
            return fd
        os.close(fd)


def _release(fd: int, path: Path) -> None:
    """Close; the last holder also removes the file, so that a lock file left behind means a run was killed."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if _same_file(fd, path):
            path.unlink()
    except BlockingIOError:
        pass  # a reader still holds it and will remove it
    finally:
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


def _holder(path: Path) -> str:
    try:
        pid = path.read_text().strip()
    except OSError:
        pid = ""
    return f"pid {pid}" if pid else "a reader"
