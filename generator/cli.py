"""The `wechatpay-codegen` commands. Thin: read the arguments, run a stage, print its report, set the exit code."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .report import Diagnostic, has_errors, summarize
from .spec import io as spec_io
from .spec.build import DocsError, parse_docs
from .workspace import LockedError, TreeUpdate, commit, lock, read_tree, recover

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
