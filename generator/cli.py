"""The `wechatpay-codegen` commands. Thin: read the arguments, run a stage, print its report, set the exit code."""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from . import pipeline, snapshot
from .codegen.options import CodegenError, load_options
from .codegen.render import generate as generate_files
from .report import Diagnostic, has_dropped, has_errors, summarize
from .snapshot import DocsSource, SnapshotError
from .spec import diff as api_diff
from .spec import io as spec_io
from .spec.bundle import bundle as bundle_specs
from .spec.build import DocsError
from .workspace import (
    Cache,
    LockedError,
    TreeUpdate,
    WorkspaceError,
    commit,
    lock,
    read_tree,
    recover,
    refuse_foreign,
    refuse_overlaps,
    with_manifest,
)

DEFAULT_DOCS = Path("examples/docs")
DEFAULT_SPECS = Path("specs")
DROPPED_EXIT = 3  # with --strict: output written, but some input could not be read into it
DEFAULT_CACHE = Path(".wechatpay-codegen-cache")
Command = Callable[..., None]
strict_option = click.option(
    "--strict", is_flag=True, help="Exit 3 when some input had to be left out (it is listed and counted either way)."
)
config_option = click.option(
    "--config",
    type=click.Path(path_type=Path),
    default=Path("pyproject.toml"),
    show_default=True,
    help="A pyproject.toml with [tool.wechatpay-codegen].",
)


def version_option(default: str) -> Callable[[Command], Command]:
    """`--version`; `default` says where the version comes from without it."""
    return click.option(
        "--version",
        "package_version",
        default=None,
        help=f"Version of the generated distribution (default: {default}).",
    )


def docs_source(ctx: click.Context, param: click.Parameter, value: str) -> DocsSource:
    """A docs folder, or `REPO@REF[:FOLDER]`: a git repository's pages at a branch, tag, commit or date."""
    try:
        return snapshot.parse_source(value)
    except SnapshotError as exc:
        raise click.BadParameter(str(exc)) from None


cache_option = click.option(
    "--cache",
    "cache_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_CACHE,
    show_default=True,
    help="Where parse and generate results are kept between runs.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wechatpay-codegen")
def main() -> None:
    """Generate a typed Python SDK for the WeChat Pay API from its documentation pages."""


def print_diagnostics(diagnostics: list[Diagnostic], quiet: bool = False) -> None:
    """Every finding on stderr (unless quiet), then the summary line that counts them."""
    if not quiet:
        for diagnostic in sorted(diagnostics):
            click.echo(str(diagnostic), err=True)
    click.echo(summarize(diagnostics), err=True)


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@main.command()
@click.argument("docs_source", metavar="DOCS", default=str(DEFAULT_DOCS), callback=docs_source)
@click.option(
    "-o",
    "--out",
    "specs_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_SPECS,
    show_default=True,
    help="The specs folder to write.",
)
@click.option("--jobs", type=int, default=os.cpu_count() or 1, show_default="one per core", help="Worker processes.")
@cache_option
@config_option
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
@strict_option
def parse(
    docs_source: DocsSource, specs_dir: Path, jobs: int, cache_dir: Path, config: Path, quiet: bool, strict: bool
) -> None:
    """Read the doc pages in DOCS (a folder, or REPO@REF[:FOLDER]) into one spec file per page (default:
    examples/docs → specs/).

    Exit status 1 when any page has an error (the specs folder is then left as it was). Input left out is
    listed and counted; with --strict it also makes the exit status 3 (the specs written all the same).
    """
    try:
        with snapshot.opened(docs_source) as docs_snapshot:
            docs = pipeline.Docs.read(docs_snapshot.folder)
            pages = pipeline.parse(docs, Cache(cache_dir), jobs, hosts=frozenset(load_options(config).hosts))
            diagnostics = [d for page in pages for d in page.diagnostics]
            print_diagnostics(diagnostics, quiet)
            if has_errors(diagnostics):
                fail(f"{specs_dir} not written: fix the errors above")
            sources = {"docs": docs_snapshot.folder, "cache": cache_dir}
            update = write_owned(specs_dir, with_manifest(pipeline.spec_tree(pages)), sources, pipeline.is_legacy_spec)
    except (DocsError, CodegenError, SnapshotError, LockedError, WorkspaceError) as exc:
        fail(str(exc))
    operations = sum(page.operations for page in pages)
    click.echo(
        f"{len(docs.pages)} pages, {operations} operations and notifications → {specs_dir} ({len(update.writes)} written, {len(update.deletes)} removed)"
    )
    exit_for_dropped(diagnostics, strict)


def write_owned(
    root: Path, wanted: dict[str, bytes], sources: dict[str, Path], legacy: Callable[[str, bytes], bool] | None = None
) -> TreeUpdate:
    """Make `root` hold `wanted` the way `build` does: locked, journaled, replacing or deleting only files the tool
    wrote, never in a folder that overlaps a source. `legacy`: which files of a tree without a manifest are ours
    (by default, those of a stamped package)."""
    refuse_overlaps({"output": root}, {**sources, **pipeline.SOURCES})
    with lock(root):
        recover(root, [root])
        current = read_tree(root)
        update = TreeUpdate.between(root, current, wanted)
        refuse_foreign(update, current, legacy or pipeline.legacy_package(current))
        commit([update], root)
    return update


def exit_for_dropped(diagnostics: list[Diagnostic], strict: bool) -> None:
    """Input left out is listed and counted either way; `--strict` also makes it the exit status (3)."""
    if strict and has_dropped(diagnostics):
        sys.exit(DROPPED_EXIT)


@main.command()
@click.argument("specs_dir", type=click.Path(path_type=Path), default=DEFAULT_SPECS)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The bundle to write: YAML, or JSON by a .json extension.",
)
def bundle(specs_dir: Path, out: Path) -> None:
    """Merge the spec files in SPECS_DIR into one OpenAPI 3.1 document."""
    try:
        refuse_overlaps({"bundle": out}, {"specs": specs_dir})  # a bundle among the specs would be read as one
        document = bundle_specs(spec_io.read_specs(specs_dir))
        with lock(out.parent):  # as every command that writes: one writer at a time
            spec_io.write_bundle(document, out)
    except (spec_io.SpecError, WorkspaceError, LockedError) as exc:
        fail(str(exc))
    click.echo(f"{len(document['paths'])} paths, {len(document['webhooks'])} webhooks → {out}")


@main.command()
@click.argument("specs_dir", type=click.Path(path_type=Path), default=DEFAULT_SPECS)
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("generated"),
    show_default=True,
    help="The distribution folder to write.",
)
@config_option
@click.option("--package", default=None, help="Import name of the generated package (default: wechatpay).")
@version_option("`version` in [tool.wechatpay-codegen], else 0.1.0")
@click.option(
    "--templates",
    type=click.Path(path_type=Path),
    default=None,
    help="A folder of templates that override the built-in ones by name.",
)
@click.option(
    "--include", multiple=True, help="Only call paths matching this glob (repeatable): v3/pay/*, webhooks/v3/*."
)
@click.option("--exclude", multiple=True, help="Leave out call paths matching this glob (repeatable).")
@click.option(
    "--names",
    "names_file",
    type=click.Path(path_type=Path),
    default=None,
    help="A YAML/TOML file of class-name overrides.",
)
def generate(
    specs_dir: Path,
    out_dir: Path,
    config: Path,
    package: str | None,
    package_version: str | None,
    templates: Path | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    names_file: Path | None,
) -> None:
    """Render the specs in SPECS_DIR into an installable typed SDK (default: specs/ → generated/)."""
    try:
        options = load_options(
            config,
            package=package,
            version=package_version,
            templates=templates,
            include=include,
            exclude=exclude,
            names_file=names_file,
        )
        specs = spec_io.read_specs(specs_dir)
        spec_io.refuse_collisions(specs)
        files = generate_files(specs, options)
        sources = {"specs": specs_dir, **({"custom templates": options.templates} if options.templates else {})}
        write_owned(out_dir, with_manifest({path: text.encode() for path, text in files.items()}), sources)
    except (spec_io.SpecError, CodegenError, LockedError, WorkspaceError) as exc:
        fail(str(exc))
    click.echo(f"{len(files)} files → {out_dir} (package {options.package} {options.version})")


@main.command()
@click.argument("old", callback=docs_source)
@click.argument("new", callback=docs_source)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option(
    "--fail-on", type=click.Choice(["breaking"]), default=None, help="Exit 1 when there is a breaking change."
)
@click.option("--show-docs", is_flag=True, help="List documentation-only edits one by one (text format).")
@click.option("--jobs", type=int, default=1, show_default=True, help="Worker processes for parsing doc pages.")
@cache_option
def diff(
    old: DocsSource, new: DocsSource, fmt: str, fail_on: str | None, show_docs: bool, jobs: int, cache_dir: Path
) -> None:
    """API changes from OLD to NEW: two docs or two specs folders, each a folder or REPO@REF[:FOLDER] (a git
    repository's at a branch, tag, commit or date); each change breaking or not."""
    cache = Cache(cache_dir)
    try:
        with snapshot.opened(old) as before, snapshot.opened(new) as after:
            apis = [pipeline.load_api(side.folder, cache, jobs, side.label) for side in (before, after)]
            changes = api_diff.diff_specs(*apis)
    except (DocsError, spec_io.SpecError, SnapshotError) as exc:
        fail(str(exc))
    renderers = {"markdown": api_diff.render_markdown, "json": api_diff.render_json}
    click.echo(renderers[fmt](changes) if fmt in renderers else api_diff.render_text(changes, show_docs), nl=False)
    if fail_on == "breaking" and any(c.impact is api_diff.Impact.BREAKING for c in changes):
        sys.exit(1)


@dataclass(frozen=True)
class Trees:
    """What `build` and `check` are given: the docs, the two trees made from them, and how to run."""

    docs_source: DocsSource
    specs_dir: Path
    out_dir: Path
    jobs: int
    cache_dir: Path
    config: Path
    package_version: str | None
    quiet: bool


def tree_options(command: Callable[..., None]) -> Command:
    """The options of `Trees`, handed to `command` as one `Trees` (its other options as keywords)."""

    @functools.wraps(command)
    def with_trees(**given: Any) -> None:
        trees = Trees(**{name: given.pop(name) for name in Trees.__dataclass_fields__})
        command(trees, **given)

    options: list[Callable[[Command], Command]] = [
        click.option(
            "--docs",
            "docs_source",
            default=str(DEFAULT_DOCS),
            callback=docs_source,
            show_default=True,
            help="The doc pages: a folder, or REPO@REF[:FOLDER] (a git repository's, at a branch, tag, commit or YYYY-MM-DD).",
        ),
        click.option(
            "--specs",
            "specs_dir",
            type=click.Path(path_type=Path),
            default=DEFAULT_SPECS,
            show_default=True,
            help="The spec files, one per page.",
        ),
        click.option(
            "--out",
            "out_dir",
            type=click.Path(path_type=Path),
            default=Path("generated"),
            show_default=True,
            help="The generated distribution.",
        ),
        click.option(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            show_default="one per core",
            help="Worker processes for parsing and formatting.",
        ),
        cache_option,
        config_option,
        version_option("the commit date of docs from git, else `version` in [tool.wechatpay-codegen], else 0.1.0"),
        click.option("-q", "--quiet", is_flag=True, help="Print only the outcome."),
    ]
    wrapped: Command = with_trees
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


def run_pipeline(stage: Callable[..., pipeline.Outcome], trees: Trees) -> pipeline.Outcome:
    """Run `pipeline.build` or `pipeline.check` with a progress display fit for where the output goes. The version:
    `--version`, else the docs' commit date, else the configuration's."""
    quiet = trees.quiet
    progress = (
        pipeline.Progress() if quiet else pipeline.BarProgress() if sys.stderr.isatty() else pipeline.LineProgress()
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind (lock, staging, docs from git) as Ctrl-C does
    try:
        with snapshot.opened(trees.docs_source) as docs:
            options = load_options(trees.config, version=trees.package_version or docs.version)
            layout = pipeline.Layout(docs.folder, trees.specs_dir, trees.out_dir, trees.cache_dir)
            outcome = stage(layout, options, trees.jobs, progress)
    except (DocsError, CodegenError, LockedError, WorkspaceError, SnapshotError) as exc:
        fail(str(exc))
    if has_errors(outcome.diagnostics):
        print_diagnostics(outcome.diagnostics)
        fail("fix the errors above: nothing was written")
    if outcome.diagnostics:
        print_diagnostics(outcome.diagnostics, quiet)
    return outcome


@main.command()
@tree_options
@strict_option
def build(trees: Trees, strict: bool) -> None:
    """Parse the docs into SPECS and generate the package into OUT, rewriting only files that change; the package's
    CHANGELOG.md gets the API changes under the version built."""
    outcome = run_pipeline(pipeline.build, trees)
    if outcome.recovered:
        click.echo("finished an update an interrupted build had committed", err=True)
    counts = [f"{u.root}: {len(u.writes)} written, {len(u.deletes)} removed" for u in outcome.updates]
    click.echo(f"{'; '.join(counts) or 'up to date'} ({outcome.seconds:.1f}s)")
    exit_for_dropped(outcome.diagnostics, strict)


@main.command()
@tree_options
def check(trees: Trees) -> None:
    """Exit 0 when SPECS and OUT are exactly what the docs and the generator produce; else list what differs."""
    outcome = run_pipeline(pipeline.check, trees)
    if outcome.in_sync:
        click.echo(f"in sync ({outcome.seconds:.1f}s)")
        return
    for line in pipeline.describe(outcome):
        click.echo(line)
    stale = sum(len(u.writes) + len(u.deletes) for u in outcome.updates)
    version = f" --version {trees.package_version}" if trees.package_version else ""
    command = (
        f"wechatpay-codegen build --docs {trees.docs_source} --specs {trees.specs_dir} --out {trees.out_dir}{version}"
    )
    click.echo(f"{stale} files out of date; `{command}` updates them", err=True)
    sys.exit(1)


if __name__ == "__main__":
    main()
