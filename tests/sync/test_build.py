"""`build` and `check` on the example docs: incremental, only-changed writes, removals, read-only check, refusals,
determinism across hash seeds and file orders, and SIGKILL at random moments."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import pipeline, workspace
from generator.codegen.options import GenerateOptions
from generator.pipeline import Layout
from generator.workspace import LockedError, read_tree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "docs"
JSAPI = "openapi/v3/pay/transactions/jsapi.md"
JSAPI_MODULE = "wechatpay/_specs/openapi_v3_pay_transactions_jsapi.py"
OPTIONS = GenerateOptions()


def build(layout: Layout) -> pipeline.Outcome:
    return pipeline.build(layout, OPTIONS)


def stats(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every entry below `root`, control files included."""
    return {p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*")}


def edit(page: Path, old: str, new: str) -> None:
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_build_then_check_and_a_no_op_rebuild(layout: Layout) -> None:
    first = build(layout)
    specs_written = set(first.updates[0].writes)
    assert specs_written == {p.relative_to(layout.specs).as_posix() for p in layout.specs.rglob("*.yaml")} | {workspace.MANIFEST}
    assert (layout.out / JSAPI_MODULE).is_file()
    assert workspace.MANIFEST in first.updates[1].writes
    assert pipeline.check(layout, OPTIONS).in_sync
    before = stats(layout.specs) | stats(layout.out)
    again = build(layout)
    assert again.in_sync and not again.recovered
    assert stats(layout.specs) | stats(layout.out) == before


def test_a_one_page_change_rewrites_only_the_files_it_affects(layout: Layout) -> None:
    build(layout)
    before = {"specs": stats(layout.specs), "out": stats(layout.out)}
    edit(
        layout.docs / JSAPI,
        "| time_expire {data-indent=1} | string |",
        "| time_expire {data-required data-indent=1} | string |",
    )
    specs_update, out_update = build(layout).updates
    assert set(specs_update.writes) == {"openapi/v3/pay/transactions/jsapi.yaml"}
    assert JSAPI_MODULE in out_update.writes and "wechatpay/_stamp.json" in out_update.writes
    assert len(out_update.writes) <= 4 and not out_update.deletes
    for tree, root, update in (("specs", layout.specs, specs_update), ("out", layout.out, out_update)):
        after = stats(root)
        kept = {name for name in before[tree] if name not in update.writes and (root / name).is_file()}
        assert {name: after[name] for name in kept} == {name: before[tree][name] for name in kept}
    assert pipeline.check(layout, OPTIONS).in_sync


def test_a_removed_page_removes_its_files(layout: Layout) -> None:
    build(layout)
    (layout.docs / JSAPI).unlink()
    specs_update, out_update = build(layout).updates
    assert specs_update.deletes == ["openapi/v3/pay/transactions/jsapi.yaml"]
    assert JSAPI_MODULE in out_update.deletes
    assert not (layout.out / JSAPI_MODULE).exists()
    assert pipeline.check(layout, OPTIONS).in_sync


def test_check_lists_what_differs_and_writes_nothing(layout: Layout) -> None:
    build(layout)
    (layout.specs / "openapi/v3/pay/transactions/jsapi.yaml").unlink()
    (layout.out / "wechatpay/extra.py").write_text("")
    with (layout.out / "wechatpay/models.py").open("a") as fh:
        fh.write("# edited by hand\n")
    before = stats(layout.specs) | stats(layout.out)
    outcome = pipeline.check(layout, OPTIONS)
    assert stats(layout.specs) | stats(layout.out) == before
    lines = list(pipeline.describe(outcome))
    assert f"missing: {layout.specs / 'openapi/v3/pay/transactions/jsapi.yaml'}" in lines
    assert f"extra:   {layout.out / 'wechatpay/extra.py'}" in lines
    assert f"stale:   {layout.out / 'wechatpay/models.py'}" in lines
    assert "    -# edited by hand" in lines


def test_check_sees_a_docs_change_through_the_stamp(layout: Layout) -> None:
    build(layout)
    edit(layout.docs / JSAPI, "发起收款的公众号或小程序的AppID", "公众号或小程序的AppID")
    outcome = pipeline.check(layout, OPTIONS)
    assert not outcome.in_sync
    assert "openapi/v3/pay/transactions/jsapi.yaml" in outcome.updates[0].writes


def test_a_second_build_is_refused_while_one_runs(layout: Layout) -> None:
    with workspace.lock(layout.out):
        with pytest.raises(LockedError, match=f"pid {os.getpid()}"):
            build(layout)
    assert not layout.specs.exists() or not any(layout.specs.iterdir())


def test_a_folder_no_build_wrote_is_left_alone(layout: Layout) -> None:
    layout.out.mkdir()
    (layout.out / "notes.txt").write_text("mine")
    with pytest.raises(workspace.WorkspaceError, match="holds notes.txt, which wechatpay-codegen did not write"):
        build(layout)
    assert sorted(p.name for p in layout.out.iterdir()) == ["notes.txt"]
    assert not any(layout.specs.iterdir())


# --------------------------------------------------------------------------------------------- subprocesses


def cli(layout: Layout, command: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "generator.cli", command, "--quiet", "--jobs", "2", "--docs", str(layout.docs)]
    args += ["--specs", str(layout.specs), "--out", str(layout.out), "--cache", str(layout.cache)]
    return subprocess.Popen(
        args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def copy_in_order(source: Path, target: Path, order: str) -> None:
    """The same pages, created in another order (so a folder listing may return them in another order)."""
    pages = sorted(p.relative_to(source) for p in source.rglob("*.md"))
    if order == "reversed":
        pages.reverse()
    elif order == "shuffled":
        random.Random(7).shuffle(pages)
    for page in pages:
        (target / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / page, target / page)


@pytest.mark.slow
def test_builds_are_byte_identical_across_hash_seeds_and_file_orders(tmp_path: Path) -> None:
    trees = []
    for seed, order in (("0", "sorted"), ("1", "reversed"), ("4242", "shuffled")):
        run = tmp_path / seed
        copy_in_order(EXAMPLES, run / "docs", order)
        layout = Layout(run / "docs", run / "specs", run / "generated", run / "cache")
        process = cli(layout, "build", {"PYTHONHASHSEED": seed})
        assert process.wait() == 0, process.stderr.read() if process.stderr else ""
        trees.append((read_tree(layout.specs), read_tree(layout.out)))
    assert trees[0] == trees[1] == trees[2]


def changed_docs(source: Path, target: Path) -> None:
    """Another version of the example docs: edited, removed and added pages, so a build changes many files."""
    shutil.copytree(source, target)
    edit(
        target / JSAPI,
        "| time_expire {data-indent=1} | string |",
        "| time_expire {data-required data-indent=1} | string |",
    )
    (target / "openapi/v2/pay/downloadbill.md").unlink()
    shutil.copy2(target / JSAPI, target / "openapi/v3/pay/transactions/app.md")
    edit(target / "openapi/v3/pay/transactions/app.md", "transactions/jsapi", "transactions/app")


def timed_build(layout: Layout) -> float:
    started = time.monotonic()
    process = cli(layout, "build")
    assert process.wait() == 0
    return time.monotonic() - started


LONG_NAME_PAGE = "/".join(["segment-" + "x" * 20] * 10) + ".md"  # its module name would be ~290 bytes


def without_history(tree: dict[str, bytes]) -> dict[str, bytes]:
    """A tree less what depends on the builds before the last: the changelog, and the stamp that digests it."""
    return {name: data for name, data in tree.items() if not name.endswith(("/CHANGELOG.md", "/_stamp.json"))}


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_the_old_or_the_new_state(tmp_path: Path, cache: Path) -> None:
    versions = {"old": tmp_path / "old", "new": tmp_path / "new", "long": tmp_path / "long"}
    shutil.copytree(EXAMPLES, versions["old"])
    changed_docs(EXAMPLES, versions["new"])
    changed_docs(EXAMPLES, versions["long"])  # the new docs and a page whose name no file system takes
    (versions["long"] / LONG_NAME_PAGE).parent.mkdir(parents=True)
    shutil.copy2(versions["long"] / JSAPI, versions["long"] / LONG_NAME_PAGE)
    trees = {"specs": tmp_path / "specs", "out": tmp_path / "generated"}
    layouts = {name: Layout(docs, trees["specs"], trees["out"], cache) for name, docs in versions.items()}
    journal_roots = list(trees.values())
    snapshots = {}
    for name in ("new", "old"):  # the first fills the cache: a killed run then dies while rendering or committing
        seconds = timed_build(layouts[name])  # what a whole run takes, startup included
        snapshots[name] = [without_history(read_tree(root, journal_roots)) for root in trees.values()]
    state = "old"
    outcomes, journals = [], 0
    rng = random.Random(20)
    for run in range(24):  # half at any moment, half near the end, where the commit is
        target = "long" if run % 4 == 3 else "new" if state == "old" else "old"
        process = cli(layouts[target], "build")
        time.sleep(rng.uniform(0, seconds) if rng.random() < 0.5 else rng.uniform(0.8 * seconds, 1.1 * seconds))
        process.send_signal(signal.SIGKILL)
        assert process.wait() in (-signal.SIGKILL, 0 if target != "long" else 1)
        journals += workspace.has_pending_journal(trees["out"])
        in_sync = {name: pipeline.check(layout, OPTIONS).in_sync for name, layout in layouts.items() if name != "long"}
        assert sum(in_sync.values()) == 1, in_sync
        state = next(name for name, ok in in_sync.items() if ok)
        assert [without_history(read_tree(root, journal_roots)) for root in trees.values()] == snapshots[state]
        outcomes.append("finished" if state == target else "untouched")
    finished, untouched = outcomes.count("finished"), outcomes.count("untouched")
    print(f"\nSIGKILL: {finished} runs finished, {untouched} untouched, {journals} left a journal to roll forward")
    pipeline.build(layouts["new"], OPTIONS)
    assert pipeline.check(layouts["new"], OPTIONS).in_sync
