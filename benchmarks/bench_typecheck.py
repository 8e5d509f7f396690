"""Type-checking cost of a short merchant script: the full-corpus package against the examples package.

    WECHATPAY_CORPUS=../shared/corpus .venv/bin/python benchmarks/bench_typecheck.py [--out bench-out/typecheck]

Both packages are generated as `wechatpay` (the examples from `examples/docs`, the full one from the corpus's
`docs`), then the same scripts (a JSAPI order and a query through the tree; the same with a query through
`chain()`) are checked cold against each, as a merchant's project sees an installed package: on the path, with a fresh cache
folder each run. `mypy --strict` and pyright (`pip install pyright`) each; wall time and the checker's peak
resident memory (its process and the ones it waited for, from `os.wait4`). The ratios are full over examples.
`--python` names the interpreter whose site-packages the checkers resolve the dependencies in (pydantic, httpx,
...): a venv holding only the package's dependencies gives the floor a merchant's project has.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.codegen import GenerateOptions, generate, write_tree
from generator.spec.build import parse_docs

TREE_SCRIPT = """
import wechatpay


def order_and_query(client: wechatpay.Client) -> str:
    order = client.v3.pay.transactions.jsapi.post(
        appid="wxd678efh567hg6787",
        description="coffee",
        out_trade_no="T20240517001",
        notify_url="https://example.com/notify",
        amount={"total": 100, "currency": "CNY"},
        payer={"openid": "o1"},
    )
    trade = client.v3.pay.transactions.id_.by_transaction_id("4200000000").get(mchid="1900000109")
    return order.prepay_id + str(trade.trade_state)
"""

# `chain()`'s overloads name a class per documented path: a checker reads every overload's return type, so the
# spec modules of every path (mypy reads them whatever the script calls: the whole import closure of `Client`)
CHAIN_LINES = """

def query_by_path(client: wechatpay.Client) -> str:
    same = client.chain("v3/pay/transactions/id/{transaction_id}").get(transaction_id="42", mchid="1900000109")
    return str(same.trade_state)
"""

SCRIPTS = {"tree": TREE_SCRIPT, "tree + chain()": TREE_SCRIPT + CHAIN_LINES}


def build(docs: Path, out: Path) -> None:
    """The package generated from the pages in `docs`, as `wechatpay`, into `out`."""
    write_tree(generate(parse_docs(docs).specs, GenerateOptions(package="wechatpay")), out)


def checkers(python: str) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    return {
        "mypy": [str(bin_dir / "mypy"), "--strict", "--python-executable", python, "--cache-dir", "{cache}"],
        "pyright": [str(bin_dir / "pyright"), "--pythonpath", python],
    }


def check(command: list[str], package: Path, script: Path) -> dict[str, float]:
    """One cold run: seconds, peak MB, and whether the script passed."""
    with tempfile.TemporaryDirectory(prefix="typecheck-cache-") as cache:
        argv = [part.replace("{cache}", cache) for part in command] + [script.name]
        env = {**os.environ, "PYTHONPATH": str(package), "XDG_CACHE_HOME": cache}
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=script.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output = process.stdout.read() if process.stdout else b""
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[0]} failed on {package}:\n{output.decode(errors='replace')}")
    return {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "typecheck")
    parser.add_argument("--python", default=sys.executable, help="the interpreter the dependencies are found in")
    parser.add_argument("--reuse", action="store_true", help="check the packages already in --out")
    args = parser.parse_args()
    corpus = os.environ.get("WECHATPAY_CORPUS")
    if not corpus:
        raise SystemExit("WECHATPAY_CORPUS is not set: the full package is generated from the corpus's docs")
    packages = {"examples": args.out / "examples", "full": args.out / "full"}
    if not args.reuse:
        shutil.rmtree(args.out, ignore_errors=True)
        build(ROOT / "examples" / "docs", packages["examples"])
        build(Path(corpus) / "docs", packages["full"])
    for label, text in SCRIPTS.items():
        script = args.out / ("merchant_chain.py" if "chain" in label else "merchant.py")
        script.write_text(text.lstrip(), encoding="utf-8")
        for name, command in checkers(args.python).items():
            cost = {which: check(command, package, script) for which, package in packages.items()}
            ratios = {key: round(cost["full"][key] / cost["examples"][key], 2) for key in ("seconds", "peak_mb")}
            print(
                f"{label:15} {name:8} examples {cost['examples']}  full {cost['full']}  ratio (full / examples) {ratios}"
            )


if __name__ == "__main__":
    main()
