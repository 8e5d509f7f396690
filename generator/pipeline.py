"""The build pipeline: docs -> specs -> package, cached by content, committed atomically; and `check`, its dry run.

Caching (`Cache`, keyed by content digests):
- a page's spec: the page's path and bytes, and the parser's source code;
- a spec's module (typed view and text, kept by the code generator): the spec, the naming decisions it depends on
  (its module name and class-name stems), the generator's source and templates, the options;
- a black-formatted file: black's version and modes, the file's path and unformatted text;
- the whole generated tree: the specs' text, the code generator's source, templates, runtime and options.
The package's CHANGELOG.md (`generator.changelog`) gets the API changes from the specs as they were to the new
ones, under the version built. A rebuild with nothing changed finds the stamp (`<package>/_stamp.json`: the digests of every input, of the
generator and of both trees) in agreement with the inputs and the trees, and stops there. A one-page change parses
that page, builds and renders that page's module alone, renders the global files (client, tree, registries) again
from the modules' typed views, and formats only the files whose unformatted text changed.

Writing: both trees are compared with what is wanted and only the difference is committed, in one journaled update
(see `generator.workspace`), under an exclusive lock on both folders; a run first finishes any update a killed run
left behind. `check` reads the trees through a pending journal under a shared lock and writes nothing but the cache.
"""

from __future__ import annotations

import difflib
import json
import os
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from generator import changelog
from generator.codegen import render
from generator.codegen.names import snake
from generator.codegen.options import BUILTIN_TEMPLATES, GenerateOptions
from generator.report import Code, Diagnostic, Level, has_errors
from generator.spec import extensions as ext
from generator.spec.build import (
    MAX_PAGE_BYTES,
    DocsError,
    PageResult,
    gather_evidence,
    list_pages,
    page_evidence,
    parse_page,
)
from generator.spec.schema import JSON_STRING_ROW, JsonStringEvidence
from generator.spec.io import SAFE_NAME, SpecFile, collisions, dump_yaml, read_specs, spec_problems
from generator.workspace import (
    NAME_MAX,
    Cache,
    TreeUpdate,
    commit,
    digest,
    lock,
    read_tree,
    recover,
    refuse_foreign,
    refuse_overlaps,
    tree_digest,
    with_manifest,
)

GENERATOR_ROOT = Path(__file__).resolve().parent
STAMP = "_stamp.json"
SOURCES = {"generator": GENERATOR_ROOT, "templates": BUILTIN_TEMPLATES.parent}  # no output folder may hold them
MODULE_NAME_MAX = NAME_MAX - 16  # a page's module file: `<name>.py`, and room for a rank (`_2`) among twins


def source_digest(*paths: Path, skip: Iterable[str] = ()) -> str:
    """A hash of the files at `paths` (folders: every file below, by relative path): a change invalidates results."""
    parts: list[bytes | str] = []
    for path in paths:
        files = [path] if path.is_file() else sorted(path.rglob("*"), key=lambda f: f.relative_to(path).as_posix())
        for file in (f for f in files if f.is_file() and "__pycache__" not in f.parts):
            name = file.relative_to(path.parent).as_posix()
            if name not in skip:
                parts += [name, file.read_bytes()]
    return digest(*parts)


@dataclass(frozen=True)
class Fingerprint:
    """What, besides the doc pages, decides the output; recorded in the stamp. Content digests only, never paths."""

    version: str
    parser: str
    codegen: str
    black: str
    options: str

    @classmethod
    def of(cls, options: GenerateOptions) -> Fingerprint:
        return cls(
            version=version("wechatpay-codegen"),
            parser=parser_digest(),
            # the changelog is a file of the package too: a change in how it is written is a change of the output
            codegen=source_digest(GENERATOR_ROOT / "codegen", GENERATOR_ROOT / "changelog.py", BUILTIN_TEMPLATES),
            black=version("black"),
            options=digest(json.dumps(_plain(asdict(options)), sort_keys=True)),
        )


def parser_digest() -> str:
    """The parser's code: the doc reader and the spec builder (the API diff is no part of it)."""
    return source_digest(*(GENERATOR_ROOT / p for p in ("docs", "spec", "report.py")), skip={"spec/diff.py"})


def _plain(value: Any) -> Any:
    """Options as JSON: a folder (templates, runtime) by the digest of its content, so the stamp is the same anywhere."""
    if isinstance(value, Path):
        return source_digest(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------------------------- progress


class Progress:
    """Where a long stage reports how far it is; this one stays silent (`--quiet`)."""

    def stage(self, name: str, total: int) -> Callable[[int], None]:
        return lambda done: None

    def note(self, message: str) -> None:
        pass


class LineProgress(Progress):
    """Plain lines, for CI logs: a line per stage as it starts, and each note."""

    def stage(self, name: str, total: int) -> Callable[[int], None]:
        if total:
            print(f"{name}: {total} to do", file=sys.stderr, flush=True)
        return lambda done: None

    def note(self, message: str) -> None:
        print(message, file=sys.stderr, flush=True)


class BarProgress(LineProgress):
    """A rich progress bar per stage, on a terminal."""

    def stage(self, name: str, total: int) -> Callable[[int], None]:
        from rich.console import Console  # imported only on a terminal
        from rich.progress import Progress as Bar

        if not total:
            return lambda done: None
        bar = Bar(console=Console(stderr=True), transient=True)
        task = bar.add_task(name, total=total)
        bar.start()

        def advance(done: int) -> None:
            bar.update(task, completed=done)
            if done >= total:
                bar.stop()

        return advance


# --------------------------------------------------------------------------------------------- parsing


PARSED_PAGE_FORMAT = "3"  # part of each cached page's key: change it when ParsedPage or `_parse_one` changes


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
    """A docs folder read: its pages' bytes, by path, in path order; and the pages refused unread, each with why."""

    root: Path
    pages: dict[str, bytes]
    refused: tuple[Diagnostic, ...] = ()

    @classmethod
    def read(cls, root: Path) -> Docs:
        pages: dict[str, bytes] = {}
        refused: list[Diagnostic] = []
        for page in list_pages(root):
            data = _read_page(root, page)
            if isinstance(data, Diagnostic):
                refused.append(data)
            else:
                pages[page] = data
        return cls(root, pages, tuple(refused))

    def digests(self) -> dict[str, str]:
        return {page: digest(data) for page, data in self.pages.items()}


def _read_page(root: Path, page: str) -> bytes | Diagnostic:
    """A page's bytes, or the error that keeps it out: a name the generated code cannot carry, a symlink leading
    out of the docs folder, a size over the limit (checked before reading, and never more read than the limit)."""
    path = root / page
    problem = _page_name_problem(page)
    # `list_pages` descends into no symlinked folder: only the page itself can lead out
    if problem is None and path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        problem = Code.OUTSIDE_DOCS, f"a symlink to {path.resolve()}, outside the docs folder: not read"
    if problem is not None:
        return Diagnostic(page, 0, Level.ERROR, *problem)
    try:
        with path.open("rb") as file:  # the size first: a sparse 6 GB page is never read, a small one read whole
            data = file.read(min(os.fstat(file.fileno()).st_size, MAX_PAGE_BYTES) + 1)
    except OSError as exc:
        return Diagnostic(page, 0, Level.ERROR, Code.UNREADABLE, f"cannot read the page ({exc.strerror})")
    if len(data) > MAX_PAGE_BYTES:
        return Diagnostic(
            page, 0, Level.ERROR, Code.TOO_LARGE, f"page is over the {MAX_PAGE_BYTES // 1024} KB limit: not read"
        )
    return data


def _page_name_problem(page: str) -> tuple[Code, str] | None:
    """(code, message) when a page path cannot become a spec name, a module name and a comment in the code."""
    name = page.removesuffix(".md")
    if not SAFE_NAME.fullmatch(name):
        return Code.UNSAFE_NAME, f"the page path {page!r} has characters outside A-Z a-z 0-9 _ . {{ }} ~ - and /"
    if any(len(part.encode()) > NAME_MAX - len(".yaml") for part in name.split("/")):
        return Code.NAME_TOO_LONG, f"a folder or file name of the page is over {NAME_MAX - len('.yaml')} bytes"
    # snake_case at most doubles a name (a `_` per character): only a long name can make a module name too long
    if len(name) * 2 > MODULE_NAME_MAX and len(snake(name).encode()) > MODULE_NAME_MAX:
        return Code.NAME_TOO_LONG, f"the page's module name would be {len(snake(name))} bytes, over {MODULE_NAME_MAX}"
    return None


def parse(
    docs: Docs, cache: Cache, jobs: int = 1, progress: Progress = Progress(), hosts: frozenset[str] = frozenset()
) -> list[ParsedPage]:
    """Every page's spec, from the cache where the page, the parser and what the page depends on beyond itself
    (other pages' JSON-string examples; configured `hosts`) are unchanged, else parsed (on `jobs` processes); the
    refused pages as their errors, and an error for each key two pages document."""
    parser = digest(parser_digest(), PARSED_PAGE_FORMAT)
    evidence = _evidence(docs, cache, parser)
    keys = {
        page: digest("page", parser, page, data, evidence.cache_key(data), *sorted(hosts))
        for page, data in docs.pages.items()
    }
    found = {page: _cached_page(cache, key) for page, key in keys.items()}
    missing = [page for page, parsed in found.items() if parsed is None]
    advance = progress.stage("parse", len(missing))
    for count, (page, parsed) in enumerate(_parse_pages(docs.root, missing, jobs, evidence, hosts), 1):
        cache.put(keys[page], pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
        found[page] = parsed
        advance(count)
    progress.note(f"parse: {len(docs.pages)} pages, {len(missing)} parsed, {len(docs.pages) - len(missing)} cached")
    pages = [parsed for parsed in found.values() if parsed is not None]
    refused = [ParsedPage(d.file.removesuffix(".md"), None, None, (d,), 0) for d in docs.refused]
    return pages + refused + _collisions(pages)


def _collisions(pages: list[ParsedPage]) -> list[ParsedPage]:
    """Two pages documenting one operation or notification (same path, same webhook key): an error on each."""
    found = []
    for name, first, what in collisions(spec_files(pages)):
        message = f"{what} is also documented by {first}.md: one of the two pages must go"
        found.append(
            ParsedPage(name, None, None, (Diagnostic(f"{name}.md", 0, Level.ERROR, Code.DUPLICATE_KEY, message),), 0)
        )
    return found


def _cached_page(cache: Cache, key: str) -> ParsedPage | None:
    blob = cache.get(key)
    return None if blob is None else pickle.loads(blob)  # our own cache folder: as trusted as the code


def _evidence(docs: Docs, cache: Cache, parser: str) -> JsonStringEvidence:
    """The corpus-wide pre-pass over JSON-string examples, each page's share cached by its bytes (only the pages
    holding a JSON string are read)."""
    shapes = {}
    for page, data in docs.pages.items():
        if JSON_STRING_ROW not in data:
            continue
        key = digest("evidence", parser, page, data)
        blob = cache.get(key)
        shapes[page] = pickle.loads(blob) if blob is not None else page_evidence(page, data)
        if blob is None:
            cache.put(key, pickle.dumps(shapes[page], protocol=pickle.HIGHEST_PROTOCOL))
    return gather_evidence(shapes)


def _parse_pages(
    docs_dir: Path, pages: list[str], jobs: int, evidence: JsonStringEvidence, hosts: frozenset[str]
) -> Iterator[tuple[str, ParsedPage]]:
    if jobs <= 1 or len(pages) < 8:
        yield from ((page, _parse_one(docs_dir, page, evidence, hosts)) for page in pages)
        return
    with ProcessPoolExecutor(jobs) as pool:
        n = len(pages)
        yield from zip(pages, pool.map(_parse_one, [docs_dir] * n, pages, [evidence] * n, [hosts] * n, chunksize=8))


def _parse_one(docs_dir: Path, page: str, evidence: JsonStringEvidence, hosts: frozenset[str]) -> ParsedPage:
    """A page's spec as text and as data. Specs hold only YAML's plain types, so reading the text back gives
    the same data (tests/spec/test_corpus.py checks every page): later stages see what a reader of the file sees.
    A spec unfit to generate from, or a parser failure, is an error on the page: never a traceback."""
    name = page.removesuffix(".md")
    try:
        result: PageResult = parse_page(docs_dir, page, evidence, hosts)
        problem = next(spec_problems(SpecFile(name, result.spec)), None) if result.spec is not None else None
        if problem is not None:
            return _failed(page, Code.UNSAFE_SPEC, f"the page's spec cannot be generated from: {problem}")
        text = dump_yaml(result.spec) if result.spec is not None else None
    except Exception as exc:  # a value no converter takes (`²`, 5,000 digits), or a parser bug: one page, not the run
        return _failed(page, Code.PARSER_FAILURE, f"the parser failed on this page ({type(exc).__name__}: {exc})")
    return ParsedPage(result.name, text, result.spec, tuple(result.diagnostics), result.operations)


def _failed(page: str, code: Code, message: str) -> ParsedPage:
    return ParsedPage(page.removesuffix(".md"), None, None, (Diagnostic(page, 0, Level.ERROR, code, message),), 0)


def spec_tree(pages: list[ParsedPage]) -> dict[str, bytes]:
    """The specs folder the pages make: `<page path less .md>.yaml`, as written."""
    return {f"{p.name}.yaml": p.text.encode() for p in pages if p.text is not None}


def spec_files(pages: list[ParsedPage]) -> list[SpecFile]:
    return [SpecFile(p.name, p.data) for p in pages if p.data is not None]


def load_api(folder: Path, cache: Cache, jobs: int = 1, label: str | None = None) -> list[SpecFile]:
    """The specs of a docs folder (parsed, through the cache) or of a specs folder, whichever `folder` is (`label`:
    its name in an error, when not its path). A page with an error fails the whole: a diff that left it out would
    report its change as no change at all."""
    if any(folder.rglob("*.md")):
        pages = parse(Docs.read(folder), cache, jobs)
        errors = sorted(d for page in pages for d in page.diagnostics if d.level is Level.ERROR)
        if errors:
            raise DocsError(f"{label or folder}/{errors[0]}")
        return spec_files(pages)
    return read_specs(folder)


# --------------------------------------------------------------------------------------------- generating


def generate(
    pages: list[ParsedPage],
    options: GenerateOptions,
    fingerprint: Fingerprint,
    cache: Cache,
    jobs: int = 1,
    progress: Progress = Progress(),
) -> dict[str, bytes]:
    """The package's files, from the cache when the specs and the generator are unchanged."""
    specs = (part for page in pages if page.text is not None for part in (page.name, page.text))
    key = digest("generate", fingerprint.codegen, fingerprint.options, fingerprint.black, *specs)
    files = _cached_tree(cache, key)
    if files is None:
        formatted = _format(render.render_files(spec_files(pages), options, memo=cache), cache, jobs, progress)
        files = {path: text.encode() for path, text in formatted.items()}
        _store_tree(cache, key, files)
    return files


def _format(files: dict[str, str], cache: Cache, jobs: int, progress: Progress) -> dict[str, str]:
    """`render.format_python` of `files`, formatting only texts the cache has not seen (on `jobs` processes)."""
    formatter = digest(version("black"), render.BLACK_MODE.get_cache_key(), render.PYI_MODE.get_cache_key())
    sources = render.python_sources(files)
    keys = {path: digest("black", formatter, path, text) for path, text in sources}
    formatted = dict(files)
    todo = []
    for path, text in sources:
        blob = cache.get(keys[path])
        if blob is None:
            todo.append((path, text))
        else:
            formatted[path] = blob.decode()
    advance = progress.stage("format", len(todo))
    for count, (path, text) in enumerate(render.format_each(todo, jobs), 1):
        cache.put(keys[path], text.encode())
        formatted[path] = text
        advance(count)
    progress.note(f"format: {len(sources)} files, {len(todo)} formatted, {len(sources) - len(todo)} cached")
    return formatted


def _cached_tree(cache: Cache, key: str) -> dict[str, bytes] | None:
    manifest = cache.get(key)
    if manifest is None:
        return None
    files: dict[str, bytes] = {}
    for path, blob in json.loads(manifest).items():
        data = cache.get(blob)
        if data is None:  # removed from the cache by hand: render again
            return None
        files[path] = data
    return files


def _store_tree(cache: Cache, key: str, files: Mapping[str, bytes]) -> None:
    manifest = {path: digest(data) for path, data in files.items()}
    for path, blob in manifest.items():
        cache.put(blob, files[path])
    cache.put(key, json.dumps(manifest).encode())


# --------------------------------------------------------------------------------------------- the stamp


def stamp(fingerprint: Fingerprint, docs: Docs, specs: Mapping[str, bytes], generated: Mapping[str, bytes]) -> bytes:
    """What the trees were made from, and digests of the trees themselves (the stamp left out)."""
    document = {
        "generator": asdict(fingerprint),
        "docs": {page: h[:16] for page, h in docs.digests().items()},
        "trees": {"specs": tree_digest(specs), "generated": tree_digest(generated)},
    }
    return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode()


def stamp_path(options: GenerateOptions) -> str:
    return f"{options.package}/{STAMP}"


def changelog_path(options: GenerateOptions) -> str:
    return f"{options.package}/{changelog.CHANGELOG}"


def _changelog(
    current: bytes | None,
    options: GenerateOptions,
    before: Mapping[str, bytes],
    after: Mapping[str, bytes],
    pages: list[ParsedPage],
) -> bytes:
    """The package's changelog after this build: started, or with this build's API changes on top (the new specs'
    data as parsed, not read back from their text: the same data, see `_parse_one`)."""
    if current is None:
        return changelog.started(options.version, sum(page.operations for page in pages))
    read = {f"{page.name}.yaml": page.data for page in pages if page.data is not None}
    return changelog.updated(current, options.version, before, after, read)


def _in_sync_by_stamp(
    fingerprint: Fingerprint, docs: Docs, specs: Mapping[str, bytes], generated: Mapping[str, bytes], path: str
) -> bool:
    """True when the stamp on disk is the one these inputs and these trees would get: nothing to render."""
    others = {name: data for name, data in generated.items() if name != path}
    return generated.get(path) == stamp(fingerprint, docs, specs, others)


# --------------------------------------------------------------------------------------------- build and check


@dataclass(frozen=True)
class Layout:
    docs: Path
    specs: Path
    out: Path
    cache: Path


@dataclass
class Outcome:
    """What a build did, or what a check found."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    updates: list[TreeUpdate] = field(default_factory=list)
    current: dict[Path, dict[str, bytes]] = field(default_factory=dict)  # each tree as it was found
    recovered: bool = False
    seconds: float = 0.0

    @property
    def in_sync(self) -> bool:
        return not any(self.updates)


def build(layout: Layout, options: GenerateOptions, jobs: int = 1, progress: Progress = Progress()) -> Outcome:
    """Make `specs/` and the package what the docs and the generator produce, changing only what differs."""
    started = time.monotonic()
    refuse_overlaps({"specs": layout.specs, "out": layout.out}, {"docs": layout.docs, "cache": layout.cache, **SOURCES})
    with lock(layout.specs), lock(layout.out):
        recovered = recover(layout.out, [layout.specs, layout.out]) | recover(layout.specs, [layout.specs])
        outcome = _compare(layout, options, jobs, progress)
        outcome.recovered = recovered
        if has_errors(outcome.diagnostics):
            return outcome
        specs, out = outcome.updates
        refuse_foreign(specs, outcome.current.get(layout.specs, {}), is_legacy_spec)
        refuse_foreign(out, outcome.current.get(layout.out, {}), legacy_package(outcome.current.get(layout.out, {})))
        commit(outcome.updates, layout.out)
    Cache(layout.cache).prune()
    outcome.seconds = time.monotonic() - started
    return outcome


def check(layout: Layout, options: GenerateOptions, jobs: int = 1, progress: Progress = Progress()) -> Outcome:
    """What `build` would change, without changing it."""
    started = time.monotonic()
    with lock(layout.specs, shared=True), lock(layout.out, shared=True):
        outcome = _compare(layout, options, jobs, progress)
    outcome.seconds = time.monotonic() - started
    return outcome


def _compare(layout: Layout, options: GenerateOptions, jobs: int, progress: Progress) -> Outcome:
    journals = [layout.specs, layout.out]
    current_specs, current_out = read_tree(layout.specs, journals), read_tree(layout.out, journals)
    docs, fingerprint = Docs.read(layout.docs), Fingerprint.of(options)
    if not docs.refused and _in_sync_by_stamp(fingerprint, docs, current_specs, current_out, stamp_path(options)):
        progress.note("up to date: the stamp matches the docs, the generator and both trees")
        return Outcome(updates=[TreeUpdate(layout.specs), TreeUpdate(layout.out)])
    cache = Cache(layout.cache)
    pages = parse(docs, cache, jobs, progress, frozenset(options.hosts))
    diagnostics = [d for page in pages for d in page.diagnostics]
    if has_errors(diagnostics):
        return Outcome(diagnostics)
    wanted_specs = with_manifest(spec_tree(pages))
    package = generate(pages, options, fingerprint, cache, jobs, progress)
    wanted_out = with_manifest(package, stamp_path(options), changelog_path(options))
    previous = current_out.get(changelog_path(options))
    wanted_out[changelog_path(options)] = _changelog(previous, options, current_specs, wanted_specs, pages)
    wanted_out[stamp_path(options)] = stamp(fingerprint, docs, wanted_specs, wanted_out)
    updates = [
        TreeUpdate.between(layout.specs, current_specs, wanted_specs),
        TreeUpdate.between(layout.out, current_out, wanted_out),
    ]
    return Outcome(diagnostics, updates, {layout.specs: current_specs, layout.out: current_out})


def is_legacy_spec(name: str, data: bytes) -> bool:
    """A spec written before manifests existed: every spec the tool writes starts by naming its page."""
    return name.endswith(".yaml") and data.startswith(f"{ext.PAGE}: ".encode())


def legacy_package(current: Mapping[str, bytes]) -> Callable[[str, bytes], bool]:
    """A package written before manifests existed is one with a stamp: all its files are the tool's."""
    stamped = any(name.endswith(f"/{STAMP}") for name in current)
    return lambda name, data: stamped


def describe(outcome: Outcome, diffs: int = 10, context_lines: int = 3, max_lines: int = 40) -> Iterator[str]:
    """For `check`: each stale, missing or extra file; a short unified diff for the first `diffs` stale ones."""
    shown = 0
    for update in outcome.updates:
        current = outcome.current[update.root]
        for name in sorted(update.writes.keys() | set(update.deletes)):
            path = update.root / name
            if name in update.deletes:
                yield f"extra:   {path}"
            elif name not in current:
                yield f"missing: {path}"
            else:
                yield f"stale:   {path}"
                shown += 1
                if shown <= diffs:
                    yield from _short_diff(current[name], update.writes[name], str(path), context_lines, max_lines)


def _short_diff(old: bytes, new: bytes, name: str, context_lines: int, max_lines: int) -> Iterator[str]:
    lines = list(
        difflib.unified_diff(
            old.decode(errors="replace").splitlines(),
            new.decode(errors="replace").splitlines(),
            f"{name} (on disk)",
            f"{name} (wanted)",
            n=context_lines,
            lineterm="",
        )
    )
    yield from ("    " + line for line in lines[:max_lines])
    if len(lines) > max_lines:
        yield f"    ... {len(lines) - max_lines} more diff lines"
