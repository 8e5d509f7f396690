"""Parsing speed on the real corpus, cold (an empty cache): all pages → spec texts, with one and two workers,
as `wechatpay-codegen parse` runs it (the writing of the files aside).

    WECHATPAY_CORPUS=../shared/corpus .venv/bin/python benchmarks/bench_parse.py

Target (issue 2): the whole corpus (~1,190 pages, 14 MB) in ≤ 5 s on a 2-core machine.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from generator import pipeline
from generator.workspace import Cache


def main() -> int:
    corpus = Path(os.environ.get("WECHATPAY_CORPUS", "../shared/corpus"))
    docs = corpus / "docs"
    if not docs.is_dir():
        print(f"no corpus at {corpus}: set WECHATPAY_CORPUS", file=sys.stderr)
        return 2
    size = sum(p.stat().st_size for p in docs.rglob("*.md"))
    print(f"corpus: {docs} ({size / 1e6:.1f} MB)")
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            pages = pipeline.parse(pipeline.Docs.read(docs), Cache(Path(cache)), jobs)
            files = pipeline.spec_tree(pages)
            elapsed = time.perf_counter() - start
        operations = sum(p.operations for p in pages)
        print(f"jobs={jobs}: {len(pages)} pages, {operations} operations, {len(files)} spec files "
              f"in {elapsed:.2f} s ({size / 1e6 / elapsed:.1f} MB/s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the parent process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
