"""Where the doc pages come from: a folder, or a git repository at a ref, read without a checkout.

`REPO@REF[:FOLDER]` names the pages of a repository at a branch, tag, commit or date (`YYYY-MM-DD`: the last
commit of HEAD on or before that day, UTC), in FOLDER inside it (default: its root). The pages are extracted from
`git archive` into a temporary folder, so every later stage reads a folder as usual; the commit's date is the
snapshot's date, which names a release. git runs without a shell, on the resolved commit id: a ref is never read
as an option.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO

DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
COMMIT_ID = re.compile(r"[0-9a-f]{40,64}")


class SnapshotError(Exception):
    """The pages cannot be read from where the command line says; the message names the source."""


@dataclass(frozen=True)
class GitDocs:
    """The pages of a git repository at a ref, in a folder of its tree."""

    repo: Path
    ref: str
    folder: str = ""

    def __str__(self) -> str:
        return f"{self.repo}@{self.ref}" + (f":{self.folder}" if self.folder else "")


DocsSource = Path | GitDocs


@dataclass(frozen=True)
class Snapshot:
    """Doc pages readable in `folder`, named `label` in messages; `day`: the commit's date, if from git."""

    folder: Path
    label: str
    day: date | None = None

    @property
    def version(self) -> str | None:
        """The release a snapshot names (PEP 440 calendar version, `2026.8.22`); a plain folder names none."""
        return f"{self.day.year}.{self.day.month}.{self.day.day}" if self.day else None


def parse_source(text: str) -> DocsSource:
    """A folder, or `REPO@REF[:FOLDER]` where REPO is the first folder that an `@` ends. An existing path is always
    a folder, so a folder whose name holds `@` stays one."""
    if Path(text).exists() or "@" not in text:
        return Path(text)
    for at in (m.start() for m in re.finditer("@", text)):
        if at and Path(text[:at]).is_dir():
            ref, _, folder = text[at + 1 :].partition(":")
            if not ref or ref.startswith("-"):
                raise SnapshotError(f"{text}: a ref must be given and must not start with '-'")
            return GitDocs(Path(text[:at]), ref, folder.strip("/"))
    raise SnapshotError(f"{text}: no such folder, nor a git repository folder followed by @REF")


@contextlib.contextmanager
def opened(source: DocsSource) -> Iterator[Snapshot]:
    """The source as a folder of pages: itself, or the ref's pages extracted into a temporary folder."""
    if isinstance(source, Path):
        yield Snapshot(source, str(source))
        return
    commit = _resolve(source)
    with tempfile.TemporaryDirectory(prefix="wechatpay-docs-") as folder:
        _extract(source, commit, Path(folder))
        yield Snapshot(Path(folder), str(source), _commit_day(source, commit))


def _resolve(source: GitDocs) -> str:
    """The commit id the ref names: a revision git knows, else a date's last commit of HEAD."""
    found = _git(
        source, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{source.ref}^{{commit}}", check=False
    )
    if not found and DAY.fullmatch(source.ref):
        found = _git(source, "rev-list", "-1", f"--before={source.ref} 23:59:59 +0000", "HEAD", check=False)
    commit = found.decode().strip()
    if not COMMIT_ID.fullmatch(commit):
        raise SnapshotError(f"{source}: `{source.ref}` names no commit in {source.repo}")
    return commit


def _extract(source: GitDocs, commit: str, into: Path) -> None:
    """`git archive` of the commit's folder, streamed into `into`; tarfile's `data` filter keeps every member
    inside it (no absolute path, no link out, no device)."""
    tree = f"{commit}:{source.folder}" if source.folder else commit
    command = ["git", "-C", str(source.repo), "archive", "--format=tar", tree]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as git:
        assert git.stdout is not None and git.stderr is not None
        refused = _untar(git.stdout, into)
        git.stdout.read()  # the rest of a refused archive: git finishes writing, then its status is read
        errors = git.stderr.read().decode(errors="replace").strip()
    if git.returncode != 0:
        raise SnapshotError(f"{source}: git archive failed: {errors}")
    if refused:
        raise SnapshotError(f"{source}: the archive holds a member that may not be extracted ({refused})")


def _untar(stream: IO[bytes], into: Path) -> str | None:
    """Extract a tar stream into `into`; what refused a member, if anything."""
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            archive.extractall(into, filter="data")
    except tarfile.TarError as exc:
        return str(exc)
    return None


def _commit_day(source: GitDocs, commit: str) -> date:
    """The commit date (committer's, in UTC: the same on every machine)."""
    seconds = int(_git(source, "show", "-s", "--format=%ct", commit))
    return datetime.fromtimestamp(seconds, timezone.utc).date()


def _git(source: GitDocs, *args: str, check: bool = True) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(source.repo), *args], capture_output=True)
    except FileNotFoundError:
        raise SnapshotError(f"{source}: reading docs from git needs the `git` command") from None
    if check and done.returncode != 0:
        raise SnapshotError(f"{source}: git {args[0]} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout if done.returncode == 0 else b""
