"""The build pipeline: docs -> specs -> package, cached by content, committed atomically; and `check`, its dry run.

Caching. Every stage result is stored under a key that hashes exactly what produced it:
- a page's spec: the page's path and bytes, and the parser's own source code;
- a generated file: what the code generator made of the specs, its source code, the templates, black's version and
  the options (see `_generate`).
A rebuild with nothing changed finds the stamp (`<package>/_stamp.json`, which records the hashes of every input and
output) in agreement with the inputs and the trees, and does nothing else. A one-page change parses that page only.

Writing. Both trees are compared with what is wanted and only the difference is committed, in one journaled
update (`generator.workspace`), under an exclusive lock on both folders; a run first finishes any update a killed
run left behind.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.report import Diagnostic
from generator.spec.build import PageResult, list_pages, parse_page
from generator.spec.io import SpecFile, dump_yaml, load_yaml, read_specs
from generator.workspace import Cache, digest

GENERATOR_ROOT = Path(__file__).resolve().parent


def source_digest(*paths: Path) -> str:
    """A hash of the files at `paths` (folders: every file below, by relative path): a change invalidates results."""
    parts: list[bytes | str] = []
    for path in paths:
        files = [path] if path.is_file() else sorted(path.rglob("*"), key=lambda f: f.relative_to(path).as_posix())
        for file in (f for f in files if f.is_file() and "__pycache__" not in f.parts):
            parts += [file.relative_to(path.parent).as_posix(), file.read_bytes()]
    return digest(*parts)


# --------------------------------------------------------------------------------------------- progress


class Progress:
    """Where a long stage reports how far it is; this one stays silent (`--quiet`)."""

    def stage(self, name: str, total: int) -> Callable[[int], None]:
        return lambda done: None

    def note(self, message: str) -> None:
        pass


# --------------------------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ParsedPage:
    """A page's spec as the specs folder holds it (`text`), and the data a reader of that file gets (`data`)."""

    name: str
    text: str | None
    data: dict[str, Any] | None
    diagnostics: tuple[Diagnostic, ...]
    operations: int


@dataclass(frozen=True)
class Docs:
    """A docs folder read: its pages' bytes, by path, in path order."""

    root: Path
    pages: dict[str, bytes]

    @classmethod
    def read(cls, root: Path) -> Docs:
        return cls(root, {page: (root / page).read_bytes() for page in list_pages(root)})

    def digests(self) -> dict[str, str]:
        return {page: digest(data) for page, data in self.pages.items()}


def parse(docs: Docs, cache: Cache, jobs: int = 1, progress: Progress = Progress()) -> list[ParsedPage]:
    """Every page's spec, from the cache where the page and the parser are unchanged, else parsed (on `jobs` processes)."""
    parser = source_digest(*(GENERATOR_ROOT / p for p in ("docs", "spec", "report.py", "pipeline.py")))
    keys = {page: digest("page", parser, page, data) for page, data in docs.pages.items()}
    found = {page: _cached_page(cache, key) for page, key in keys.items()}
    missing = [page for page, parsed in found.items() if parsed is None]
    advance = progress.stage("parse", len(missing))
    for count, (page, parsed) in enumerate(_parse_pages(docs.root, missing, jobs), 1):
        cache.put(keys[page], pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
        found[page] = parsed
        advance(count)
    progress.note(f"parse: {len(docs.pages)} pages, {len(missing)} parsed, {len(docs.pages) - len(missing)} cached")
    return [parsed for parsed in found.values() if parsed is not None]


def _cached_page(cache: Cache, key: str) -> ParsedPage | None:
    blob = cache.get(key)
    return None if blob is None else pickle.loads(blob)  # our own cache folder: as trusted as the code


def _parse_pages(docs_dir: Path, pages: list[str], jobs: int) -> Iterator[tuple[str, ParsedPage]]:
    if jobs <= 1 or len(pages) < 8:
        yield from ((page, _parse_one(docs_dir, page)) for page in pages)
        return
    with ProcessPoolExecutor(jobs) as pool:
        yield from zip(pages, pool.map(_parse_one, [docs_dir] * len(pages), pages, chunksize=8))


def _parse_one(docs_dir: Path, page: str) -> ParsedPage:
    """A page's spec, given to later stages as they would read it back from its file, so that both ways agree."""
    result: PageResult = parse_page(docs_dir, page)
    text = dump_yaml(result.spec) if result.spec is not None else None
    data = load_yaml(text, page) if text is not None else None
    return ParsedPage(result.name, text, data, tuple(result.diagnostics), result.operations)


def spec_files(pages: list[ParsedPage]) -> list[SpecFile]:
    return [SpecFile(p.name, p.data) for p in pages if p.data is not None]


def load_api(folder: Path, cache: Cache, jobs: int = 1) -> list[SpecFile]:
    """The specs of a docs folder (parsed, through the cache) or of a specs folder, whichever `folder` is."""
    if any(folder.rglob("*.md")):
        return spec_files(parse(Docs.read(folder), cache, jobs))
    return read_specs(folder)
