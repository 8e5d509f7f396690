"""Timings of `build` and `check` on the full corpus, each through the command line as a user runs it:

- cold build, `--jobs 1` and `--jobs 2` (empty caches);
- no-op rebuild (target: <= 2 s), `check` when in sync (<= 3 s), a one-page change rebuilt (<= 3 s).

    WECHATPAY_CORPUS=../shared/corpus python benchmarks/bench_sync.py [--skip-cold] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator.cli import DROPPED_EXIT

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"no-op rebuild": 2.0, "check (in sync)": 3.0, "one-page change": 3.0}
CHANGED_PAGE = "openapi/v3/pay/transactions/jsapi.md"


def run(work: Path, command: str, docs: Path, cache: Path, *extra: str) -> float:
    """Seconds one `wechatpay-codegen` command takes, start to exit."""
    args = [sys.executable, "-m", "generator.cli", command, "--docs", str(docs), "--specs", str(work / "specs")]
    args += ["--out", str(work / "generated"), "--cache", str(cache), "--quiet", *extra]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, DROPPED_EXIT):  # the corpus has two findings that leave input out: exit 3
        raise SystemExit(f"{command} failed with exit status {done.returncode}")
    return elapsed


def edit_one_page(docs: Path) -> None:
    """A new optional request field, named anew on each run so that no cache has seen the result."""
    page = docs / CHANGED_PAGE
    text = page.read_text(encoding="utf-8")
    row = "| attach {data-indent=1} | string | 附加数据\n"
    added = f"| bench_{time.time_ns()} {{data-indent=1}} | string | 基准测试字段\n"
    page.write_text(text.replace(row, row + added, 1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-cold", action="store_true", help="leave out the two cold builds (minutes each)")
    parser.add_argument("--work", type=Path, help="folder for the trees and caches (default: a temporary one)")
    options = parser.parse_args()
    corpus = Path(os.environ.get("WECHATPAY_CORPUS", ROOT.parent / "shared" / "corpus"))
    work = options.work or Path(tempfile.mkdtemp(prefix="bench-sync-"))
    docs = work / "docs"
    shutil.copytree(corpus / "docs", docs, dirs_exist_ok=True)
    figures: dict[str, float] = {}

    if not options.skip_cold:
        for jobs in (1, 2):
            shutil.rmtree(work / "generated", ignore_errors=True)
            shutil.rmtree(work / "specs", ignore_errors=True)
            figures[f"cold build --jobs {jobs}"] = run(
                work, "build", docs, work / f"cache-cold-{jobs}", "--jobs", str(jobs)
            )
    cache = work / "cache"
    if (work / "cache-cold-2").is_dir() and not cache.exists():
        shutil.copytree(work / "cache-cold-2", cache)
    run(work, "build", docs, cache)  # warm: whatever is missing from the cache
    figures["no-op rebuild"] = run(work, "build", docs, cache)
    figures["check (in sync)"] = run(work, "check", docs, cache)
    edit_one_page(docs)
    figures["one-page change"] = run(work, "build", docs, cache)
    shutil.copy2(corpus / "docs" / CHANGED_PAGE, docs / CHANGED_PAGE)
    run(work, "build", docs, cache)

    for name, seconds in figures.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  (target <= {target:.0f} s: {'ok' if seconds <= target else 'MISSED'})"
        print(f"{name:24} {seconds:8.2f} s{verdict}")
    if "cold build --jobs 1" in figures:
        print(f"{'cold speed-up --jobs 2':24} {figures['cold build --jobs 1'] / figures['cold build --jobs 2']:8.2f} x")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
