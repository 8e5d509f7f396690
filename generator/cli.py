"""The `wechatpay-codegen` commands. Thin: read the arguments, run a stage, print its report, set the exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .report import Diagnostic, has_errors, summarize
from .spec import io as spec_io
from .spec.build import DocsError, parse_docs
from . import pipeline
from .spec import diff as api_diff
from .workspace import Cache, LockedError, TreeUpdate, commit, lock, read_tree, recover

DEFAULT_DOCS = Path("examples/docs")
DEFAULT_SPECS = Path("specs")


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
@click.argument("docs_dir", type=click.Path(path_type=Path), default=DEFAULT_DOCS)
@click.option("-o", "--out", "specs_dir", type=click.Path(path_type=Path), default=DEFAULT_SPECS, show_default=True, help="The specs folder to write.")
@click.option("--jobs", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
def parse(docs_dir: Path, specs_dir: Path, jobs: int | None, quiet: bool) -> None:
    """Read the doc pages in DOCS_DIR into one spec file per page (default: examples/docs → specs/).

    Exit status 1 when any page has an error; the specs folder is then left as it was.
    """
    try:
        result = parse_docs(docs_dir, jobs)
    except DocsError as exc:
        fail(str(exc))
    print_diagnostics(result.diagnostics, quiet)
    if has_errors(result.diagnostics):
        fail(f"{specs_dir} not written: fix the errors above")
    try:
        with lock(specs_dir):
            recover(specs_dir, [specs_dir])
            update = TreeUpdate.between(specs_dir, read_tree(specs_dir), spec_io.spec_tree(result.specs))
            commit([update], specs_dir)
    except LockedError as exc:
        fail(str(exc))
    click.echo(f"{result.pages} pages, {result.operations} operations and notifications → {specs_dir} ({len(update.writes)} written, {len(update.deletes)} removed)")


@main.command()
@click.argument("specs_dir", type=click.Path(path_type=Path), default=DEFAULT_SPECS)
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True, help="The bundle to write: YAML, or JSON by a .json extension.")
def bundle(specs_dir: Path, out: Path) -> None:
    """Merge the spec files in SPECS_DIR into one OpenAPI 3.1 document."""
    try:
        document = spec_io.bundle(spec_io.read_specs(specs_dir))
    except spec_io.SpecError as exc:
        fail(str(exc))
    spec_io.write_bundle(document, out)
    click.echo(f"{len(document['paths'])} paths, {len(document['webhooks'])} webhooks → {out}")


DEFAULT_CACHE = Path(".wechatpay-codegen-cache")
cache_option = click.option(
    "--cache", "cache_dir", type=click.Path(path_type=Path), default=DEFAULT_CACHE, show_default=True,
    help="Where parse and generate results are kept between runs.",
)


@main.command()
@click.argument("old", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(["breaking"]), default=None, help="Exit 1 when there is a breaking change.")
@click.option("--show-docs", is_flag=True, help="List documentation-only edits one by one (text format).")
@click.option("--jobs", type=int, default=1, show_default=True, help="Worker processes for parsing doc pages.")
@cache_option
def diff(old: Path, new: Path, fmt: str, fail_on: str | None, show_docs: bool, jobs: int, cache_dir: Path) -> None:
    """API changes from OLD to NEW: two docs folders or two specs folders, each change breaking or not."""
    cache = Cache(cache_dir)
    try:
        changes = api_diff.diff_specs(pipeline.load_api(old, cache, jobs), pipeline.load_api(new, cache, jobs))
    except (DocsError, spec_io.SpecError) as exc:
        fail(str(exc))
    renderers = {"markdown": api_diff.render_markdown, "json": api_diff.render_json}
    click.echo(renderers[fmt](changes) if fmt in renderers else api_diff.render_text(changes, show_docs), nl=False)
    if fail_on == "breaking" and any(c.impact is api_diff.Impact.BREAKING for c in changes):
        sys.exit(1)
