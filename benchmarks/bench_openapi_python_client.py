"""openapi-python-client on our own bundles, for comparison with benchmarks/bench_codegen.py.

    .venv/bin/pip install -e '.[bench]'
    WECHATPAY_CORPUS=../shared/corpus .venv/bin/python benchmarks/bench_openapi_python_client.py

For the embedded examples and for the full corpus: the bundle, then openapi-python-client's generation time,
its outcome (it may refuse or crash: the reason is printed), the generated line count, and, where it produced a
package, the cost of importing it, building a client and calling one endpoint on a recording transport, in a
fresh interpreter (time and peak memory over a bare interpreter).
"""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent)) or shutil.which("openapi-python-client")

# One GET with a path and a query parameter, on an httpx MockTransport that answers with the fields the examples'
# and the corpus's page require; timed from after `import httpx`, as benchmarks/bench_codegen.py times ours.
CALL = """
import resource, time, sys
import httpx
start = time.perf_counter()
from {package}.client import Client
ANSWER = {{"appid": "wx1", "mchid": "1", "out_trade_no": "T1", "trade_state": "SUCCESS", "trade_state_desc": "ok",
          "description": "coffee", "notify_url": "https://example.com/notify", "amount": {{"total": 100}}}}
from {package}.api.v3pay import get_v3_pay_transactions_id_by_transaction_id as op
client = Client(base_url="https://api.mch.weixin.qq.com", httpx_args={{"transport": httpx.MockTransport(lambda r: httpx.Response(200, json=ANSWER))}})
op.sync_detailed("4200000000", client=client, mchid="1900000109")
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
BARE = "import resource, time; print(0.0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def main() -> int:
    if TOOL is None:
        print("openapi-python-client is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    corpus = Path(os.environ.get("WECHATPAY_CORPUS", ROOT.parent / "shared" / "corpus"))
    inputs = [("examples", ROOT / "examples" / "docs")]
    if (corpus / "docs").is_dir():
        inputs.append(("corpus", corpus / "docs"))
    for label, docs in inputs:
        with tempfile.TemporaryDirectory() as work:
            measure(label, docs, Path(work))
    return 0


def measure(label: str, docs: Path, work: Path) -> None:
    cli = [sys.executable, "-m", "generator.cli"]
    subprocess.run([*cli, "parse", str(docs), "-o", str(work / "specs"), "--cache", str(work / "cache"), "-q"], cwd=ROOT, capture_output=True)
    subprocess.run([*cli, "bundle", str(work / "specs"), "-o", str(work / "bundle.yaml")], cwd=ROOT, check=True, capture_output=True)
    out = work / "client"
    start = time.perf_counter()
    run = subprocess.run(
        [TOOL, "generate", "--path", str(work / "bundle.yaml"), "--meta", "none", "--output-path", str(out)],
        cwd=work, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    lines = sum(p.read_text(encoding="utf-8").count("\n") for p in out.rglob("*.py")) if out.exists() else 0
    skipped = run.stdout.count("will not be generated") + run.stderr.count("will not be generated")
    outcome = "ok" if run.returncode == 0 else f"failed (exit {run.returncode}): {last_error(run.stdout + run.stderr)}"
    print(f"{label}: openapi-python-client {elapsed:.1f} s, {outcome}; {lines} lines generated; {skipped} endpoints skipped")
    if run.returncode == 0:
        print(f"{label}: import + client + one call: {import_cost(out)}")


def import_cost(package_dir: Path, runs: int = 10) -> str:
    """Best of `runs` fresh interpreters, the package's bytecode compiled first (as pip does on install)."""
    target = package_dir.parent / "opc_client"
    package_dir.rename(target)
    compileall.compile_dir(target, quiet=1)
    env = {**os.environ, "PYTHONPATH": str(target.parent), "PYTHONDONTWRITEBYTECODE": "1"}
    bare = subprocess.run([sys.executable, "-c", BARE], capture_output=True, text=True, env=env).stdout.split()
    calls = [subprocess.run([sys.executable, "-c", CALL.format(package="opc_client")], capture_output=True, text=True, env=env) for _ in range(runs)]
    failed = next((call for call in calls if call.returncode != 0), None)
    if failed is not None:
        return f"the call failed: {last_error(failed.stderr)}"
    seconds, peak = min((call.stdout.split() for call in calls), key=lambda figures: float(figures[0]))
    return f"{float(seconds) * 1000:.0f} ms, {(int(peak) - int(bare[1])) / 1024:.1f} MB over a bare interpreter (best of {runs})"


def last_error(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if "Error" in line or "error" in line]
    return (lines[-1] if lines else text.strip().splitlines()[-1] if text.strip() else "no output")[:300]


if __name__ == "__main__":
    sys.exit(main())
