"""Code generation figures: full-corpus cold parse+generate time, the import cost of the generated package, line counts.

    WECHATPAY_CORPUS=../shared/corpus .venv/bin/python benchmarks/bench_codegen.py [--out bench-out/codegen]

Black's share is timed on its own, with the lines it reads per second. Peak memory is the subprocess's own VmHWM
(ru_maxrss would carry over the parent's). Import cost is measured in fresh subprocesses, against a bare
interpreter: `import wechatpay`, constructing a client, and one call (`v3.pay.transactions.jsapi.post`) answered
by a recording transport, timed from after `import httpx` (the transport's library; `with_httpx_import_ms` counts
it too); once from source (no bytecode written, as with PYTHONDONTWRITEBYTECODE) and once with
the package's bytecode compiled first, as pip does when it installs a wheel. Two key set-ups: the WeChat Pay public
key alone (what merchants are issued today) and platform certificates alone (which loads cryptography's x509).
Beside them, in the same run, the floor no SDK on these dependencies can go under: importing pydantic and
validating one model, loading the merchant key and signing once (plus parsing a certificate, for the second set-up).
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.codegen import GenerateOptions, format_python, render_files, write_tree  # noqa: E402
from generator.spec.build import parse_docs  # noqa: E402
from tests.runtime.fake_server import FakeWeChatPay, Signer  # noqa: E402

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
                  "with_httpx_import_ms": (called - start) * 1e3,
                  "maxrss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024}))
"""
FLOOR = """
import sys, time
start = time.perf_counter()
import json, httpx
setup = json.load(open(sys.argv[1]))
ready = time.perf_counter()
from pydantic import BaseModel, ConfigDict
class Reply(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)
    prepay_id: str
Reply.model_validate_json(setup["body"])
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
key = serialization.load_pem_private_key(setup["settings"]["private_key"].encode(), None, unsafe_skip_rsa_key_validation=True)
key.sign(b"message", padding.PKCS1v15(), hashes.SHA256())
if "platform_certificates" in setup["settings"]:
    from cryptography import x509
    x509.load_pem_x509_certificates(setup["settings"]["platform_certificates"][0].encode())
called = time.perf_counter()
print(json.dumps({"total_ms": (called - ready) * 1e3, "with_httpx_import_ms": (called - start) * 1e3,
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


def import_cost(out: Path, runs: int, python: str) -> dict[str, dict[str, dict[str, float]]]:
    """Best of `runs` for each measurement, taken in turns so that the machine's load weighs on all alike."""
    env = {**os.environ, "PYTHONPATH": str(out), "PYTHONDONTWRITEBYTECODE": "1"}
    setups = {"public_key": _setup(out, Signer.public_key()), "certificates": _setup(out, Signer.platform())}
    try:
        bare = _run(python, BARE, setups["public_key"], env)
        for cache in out.rglob("__pycache__"):
            shutil.rmtree(cache)
        from_source = _best_in_turns(python, {mode: (CALL, setup) for mode, setup in setups.items()}, env, runs, bare)
        compileall.compile_dir(out / "wechatpay", quiet=1)
        measured = _best_in_turns(
            python,
            {(mode, kind): (script, setup) for mode, setup in setups.items()
             for kind, script in (("compiled", CALL), ("dependency_floor", FLOOR))}, env, runs, bare)
    finally:
        for setup in setups.values():
            setup.unlink()
    figures = {}
    for mode in setups:
        compiled, floor = measured[mode, "compiled"], measured[mode, "dependency_floor"]
        figures[mode] = {"from_source": from_source[mode], "compiled": compiled, "dependency_floor": floor,
                         "compiled_over_floor": {"ms": compiled["total_ms"] - floor["total_ms"],
                                                 "ratio": compiled["total_ms"] / floor["total_ms"]}}
    return figures


def _setup(out: Path, signer: Signer) -> Path:
    """Client settings for one key set-up, and a response to jsapi signed the way that set-up verifies."""
    with FakeWeChatPay.create(signers=[signer]) as fake:
        body = json.dumps({"prepay_id": "wx1"})
        setup = {"settings": fake.client_settings(), "headers": fake.sign_headers(body.encode()),
                 "body": body, "arguments": ARGUMENTS}
    path = out / f"bench-setup-{signer.key_id}.json"
    path.write_text(json.dumps(setup))
    return path


def _best_in_turns(python: str, jobs: dict[Any, tuple[str, Path]], env: dict[str, str], runs: int,
                   bare: dict[str, float]) -> dict[Any, dict[str, float]]:
    results: dict[Any, list[dict[str, float]]] = {key: [] for key in jobs}
    for _ in range(runs):
        for key, (script, setup) in jobs.items():
            results[key].append(_run(python, script, setup, env))
    best = {key: min(calls, key=lambda c: c["total_ms"]) for key, calls in results.items()}
    return {key: {**b, "rss_over_bare_python_mb": b["maxrss_mb"] - bare["maxrss_mb"]} for key, b in best.items()}


def _run(python: str, script: str, setup: Path, env: dict[str, str]) -> dict[str, float]:
    result = subprocess.run([python, "-c", script, str(setup)], capture_output=True, text=True, env=env, check=True)
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
    parser.add_argument("--runs", type=int, default=10, help="subprocesses per import measurement (best is kept)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter to import with, e.g. a venv holding only the package's dependencies")
    parser.add_argument("--import-only", action="store_true", help="measure the package already in --out")
    args = parser.parse_args()
    corpus = os.environ.get("WECHATPAY_CORPUS")
    if not corpus and not args.import_only:
        sys.exit("set WECHATPAY_CORPUS to the corpus folder (../shared/corpus)")
    figures: dict[str, object] = {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
    if not args.import_only:
        figures["generate"] = cold_generate(Path(corpus) / "docs", args.out)
    figures["import"] = import_cost(args.out, args.runs, args.python)
    figures["lines"] = line_counts(args.out)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
