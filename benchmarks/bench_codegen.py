"""Code generation figures: full-corpus cold parse+generate time, the import cost of the generated package, line counts.

    WECHATPAY_CORPUS=../shared/corpus .venv/bin/python benchmarks/bench_codegen.py [--out bench-out/codegen]

Black's share is timed on its own, with the lines it reads per second. Peak memory is the subprocess's own VmHWM
(ru_maxrss would carry over the parent's). Import cost is measured in fresh subprocesses, against a bare
interpreter: `import wechatpay`, constructing a client, and one call (`v3.pay.transactions.jsapi.post`) answered
by a recording transport; once from source (no bytecode written, as with PYTHONDONTWRITEBYTECODE) and once with
the package's bytecode compiled first, as pip does when it installs a wheel.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.codegen import GenerateOptions, format_python, render_files, write_tree  # noqa: E402
from generator.spec.build import parse_docs  # noqa: E402
from tests.runtime.fake_server import FakeWeChatPay  # noqa: E402

CALL = """
import sys, time
start = time.perf_counter()
import json, httpx
setup = json.load(open(sys.argv[1]))
ready = time.perf_counter()
import wechatpay
imported = time.perf_counter()
reply = httpx.Response(200, content=setup["body"].encode(), headers=setup["headers"])
http = httpx.Client(transport=httpx.MockTransport(lambda request: reply))
client = wechatpay.Client(**setup["settings"], http_client=http)
built = time.perf_counter()
result = client.v3.pay.transactions.jsapi.post(**setup["arguments"])
assert result.prepay_id == "wx1"
called = time.perf_counter()
print(json.dumps({"import_ms": (imported - ready) * 1e3, "construct_ms": (built - imported) * 1e3,
                  "call_ms": (called - built) * 1e3, "total_ms": (called - ready) * 1e3,
                  "maxrss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024}))
"""
BARE = """
import json
print(json.dumps({"maxrss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024}))
"""
ARGUMENTS = {"appid": "wx1", "mchid": "1230000109", "description": "d", "out_trade_no": "T1",
             "amount": {"total": 1}, "notify_url": "https://example.com/n", "payer": {"openid": "o"}}


def cold_generate(docs: Path, out: Path) -> dict[str, float]:
    started = time.perf_counter()
    specs = parse_docs(docs).specs
    parsed = time.perf_counter()
    files = render_files(specs, GenerateOptions())
    rendered = time.perf_counter()
    formatted = format_python(files)
    blackened = time.perf_counter()
    write_tree(formatted, out)
    lines = sum(text.count("\n") for path, text in files.items() if path.endswith((".py", ".pyi")) and "/_runtime/" not in path)
    return {"specs": len(specs), "files": len(files), "parse_s": parsed - started, "render_s": rendered - parsed,
            "black_s": blackened - rendered, "black_lines": lines, "black_lines_per_s": lines / (blackened - rendered),
            "total_s": time.perf_counter() - started}


def import_cost(out: Path, runs: int = 5) -> dict[str, dict[str, float]]:
    with FakeWeChatPay.create() as fake:
        body = json.dumps({"prepay_id": "wx1"})
        setup = {"settings": fake.client_settings(), "headers": fake.sign_headers(body.encode()),
                 "body": body, "arguments": ARGUMENTS}
    setup_file = out / "bench-setup.json"
    setup_file.write_text(json.dumps(setup))
    env = {**os.environ, "PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        bare = _run(BARE, setup_file, env)
        for cache in out.rglob("__pycache__"):
            shutil.rmtree(cache)
        from_source = _best([_run(CALL, setup_file, env) for _ in range(runs)], bare)
        compileall.compile_dir(out / "wechatpay", quiet=1)
        compiled = _best([_run(CALL, setup_file, env) for _ in range(runs)], bare)
    finally:
        setup_file.unlink()
    return {"from_source": from_source, "compiled": compiled}


def _best(calls: list[dict[str, float]], bare: dict[str, float]) -> dict[str, float]:
    best = min(calls, key=lambda c: c["total_ms"])
    return {**best, "rss_over_bare_python_mb": best["maxrss_mb"] - bare["maxrss_mb"]}


def _run(script: str, setup: Path, env: dict[str, str]) -> dict[str, float]:
    result = subprocess.run([sys.executable, "-c", script, str(setup)], capture_output=True, text=True, env=env, check=True)
    figures: dict[str, float] = json.loads(result.stdout)
    return figures


def line_counts(out: Path) -> dict[str, int]:
    package = out / "wechatpay"
    counts = {"_specs": 0, "_tree": 0, "_runtime": 0, "other": 0}
    for path in (p for p in package.rglob("*") if p.suffix in (".py", ".pyi")):
        kind = path.parent.name if path.parent != package else path.stem if path.stem in counts else "other"
        counts[kind] += len(path.read_text(encoding="utf-8").splitlines())
    return {**counts, "total": sum(counts.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out" / "codegen")
    args = parser.parse_args()
    corpus = os.environ.get("WECHATPAY_CORPUS")
    if not corpus:
        sys.exit("set WECHATPAY_CORPUS to the corpus folder (../shared/corpus)")
    figures = {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
    figures["generate"] = cold_generate(Path(corpus) / "docs", args.out)
    figures["import"] = import_cost(args.out)
    figures["lines"] = line_counts(args.out)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
