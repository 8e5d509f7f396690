"""The generated package's CHANGELOG.md: the API changes each build brings, newest first, under the version built.

The previous API is the specs folder as the last build left it, compared file by file with the new one: only the
files a build changes are read (an unchanged file holds the same operations). A build that changes no operation
leaves the changelog as it is, so `check` reproduces it; one whose version is the top entry's adds its changes to
that entry. A package without a changelog gets one recording the API as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.spec import diff as api_diff
from generator.spec.io import SpecError, SpecFile, load_yaml

CHANGELOG = "CHANGELOG.md"
HEADER = (
    "# Changelog\n\nAPI changes of each version, newest first (written by `wechatpay-codegen build` from the docs).\n"
)
ENTRY = "## "


def started(version: str, operations: int) -> bytes:
    """The first changelog: the API as it is."""
    entry = f"The first version this changelog records: {operations} operations and notifications.\n"
    return f"{HEADER}\n{ENTRY}{version}\n\n{entry}".encode()


def updated(
    current: bytes,
    version: str,
    before: Mapping[str, bytes],
    after: Mapping[str, bytes],
    read: Mapping[str, dict[str, Any]],
) -> bytes:
    """`current` with the API changes from the specs tree `before` to `after` (file name -> YAML) on top. `read`:
    the data of `after`'s specs where the caller has it already (the build parsed them), so only `before` is read."""
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    changes = api_diff.diff_specs(_specs(before, changed, {}), _specs(after, changed, read))
    if not changes:
        return current
    return _with_entry(current.decode(), version, api_diff.render_markdown(changes)).encode()


def _specs(tree: Mapping[str, bytes], names: list[str], read: Mapping[str, dict[str, Any]]) -> list[SpecFile]:
    """The named spec files of a tree (their data from `read` where it is there). A previous spec that no longer
    reads (edited by hand) is left out: the build replaces it, and its operations are listed as added."""
    specs = []
    for name in names:
        if name.endswith(".yaml") and name in tree:
            data = read[name] if name in read else _load(tree[name], name)
            if isinstance(data, dict):
                specs.append(SpecFile(name.removesuffix(".yaml"), data))
    return specs


def _load(text: bytes, name: str) -> Any:
    try:
        return load_yaml(text.decode(errors="replace"), name)
    except SpecError:
        return None


def _with_entry(changelog: str, version: str, changes: str) -> str:
    """`changes` on top of the entries: under the top entry when it is this version's, else in a new entry."""
    heading = f"{ENTRY}{version}\n"
    start = changelog.find(f"\n{ENTRY}") + 1 if f"\n{ENTRY}" in changelog else len(changelog)
    head, entries = changelog[:start], changelog[start:]
    if entries.startswith(heading):
        return f"{head}{heading}\n{changes}\n{entries.removeprefix(heading).lstrip()}"
    return f"{head.rstrip()}\n\n{heading}\n{changes}" + (f"\n{entries}" if entries else "")
