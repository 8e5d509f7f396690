"""mypy --strict on the generated package, on correct calls, and on wrong calls it must catch."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import PACKAGE

pytestmark = pytest.mark.slow

GOOD = f"""
from {PACKAGE} import AsyncClient, Client
from {PACKAGE}.models import PayTransactionsByTransactionIdGetResponse, PayTransactionsJsapiPostResponse, TransactionSuccessEvent
from {PACKAGE}.webhooks import Notification


def sync(client: Client) -> str:
    a = client.v3.pay.transactions.jsapi.post(
        appid="wx", mchid="1", amount={{"total": 1, "currency": "CNY"}}, payer={{"openid": "o"}},
        limit_pay=["no_balance"], timeout=2.0, extra_headers={{"X": "y"}},
    )
    b: PayTransactionsJsapiPostResponse = client.chain("v3/pay/transactions/jsapi").post(
        appid="wx", mchid="1", amount={{"total": 1}}, payer={{"openid": "o"}}
    )
    c = client["v3/pay/transactions/id/{{transaction_id}}"].get(transaction_id="4", mchid="1")
    d = client.v3.pay.transactions.id_.by_transaction_id("4").get(mchid="1")
    client.v3.pay.transactions.out_trade_no.by_out_trade_no("T").close.post(mchid="1")
    data: bytes = client.v3.billdownload.file.get(token="t")
    upload = client.v3.merchant.media.upload.post(file=("a.png", b""), meta={{"filename": "a", "sha256": "b"}})
    total: int = client.v2.pay.unifiedorder.post(appid="wx", total_fee=1, detail={{"cost_price": 1}}).total_fee or 0
    event = client.webhooks.parse({{}}, b"")
    if isinstance(event, TransactionSuccessEvent):
        print(event.resource.out_trade_no)
    elif isinstance(event, Notification):
        print(event.model_extra)
    if event.event_type == "TRANSACTION.SUCCESS":  # the Literal leaves its class and the generic Notification
        narrowed: TransactionSuccessEvent | Notification = event
        print(narrowed)
    raw = client.with_raw_response(client.v3.pay.transactions.id_.by_transaction_id("4").get, mchid="1")
    parsed: PayTransactionsByTransactionIdGetResponse = raw.parsed
    print(raw.status_code + 1, raw.headers.get("Request-ID"), parsed.doc_disagreements[0].field)
    closed = client.v3.pay.transactions.out_trade_no.by_out_trade_no("T").close.post(mchid="1", validate_request=False)
    print(closed.model_extra if closed is not None else None)
    for stock in client.v3.marketing.favor.stocks.iter(offset=0, limit=10, stock_creator_mchid="1"):
        print(stock.stock_id)
    v2 = client.webhooks.parse_v2("transaction-success", b"")
    print(a.raw_response, data, upload.media_id, total, v2.total_fee, d.amount)
    return b.prepay_id + (c.transaction_id or "")


async def asynchronous(client: AsyncClient) -> str:
    a = await client.v3.pay.transactions.jsapi.post(appid="wx", mchid="1", amount={{"total": 1}}, payer={{"openid": "o"}})
    b = await client.chain("v3/pay/transactions/id/{{transaction_id}}").get(transaction_id="1", mchid="1")
    event = await client.webhooks.parse({{}}, b"")
    print(event, [stock.stock_id async for stock in client.v3.marketing.favor.stocks.iter(offset=0, limit=10, stock_creator_mchid="1")])
    return a.prepay_id + (b.transaction_id or "")
"""

BAD = f"""
from {PACKAGE} import Client


def wrong(client: Client) -> None:
    client.v3.pay.transactions.jsapi.post(appid="wx", mchid="1", payer={{"openid": "o"}})
    client.v3.pay.transactions.jsapi.post(appid="wx", mchid="1", amount={{"total": "1"}}, payer={{"openid": "o"}})
    client.v3.pay.transactions.jsapi.post(appid="wx", mchid="1", amount={{"total": 1}}, payer={{"openid": "o"}}, limit_pay=["nope"])
    client.v3.pay.transactions.jsapi.post(appid="wx", mchid="1", amount={{"total": 1}}, payer={{"openid": "o"}}, nonce_str="x")
    client.chain("v3/pay/no/such/path")
    client.v3.pay.transactions.jsapi.get()
    client.v3.pay.transactions.id_.by_transaction_id(4)
    client.with_raw_response(client.v3.pay.transactions.id_.by_transaction_id("4").get, mchid=1)
    client.chain("v3/pay/transactions/id/{{transaction_id}}").get(mchid="1")
    client.v3.pay.transactions.id_.by_transaction_id("4").get(transaction_id="5", mchid="1")
"""


def mypy(tree: Path, cache: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", f"--cache-dir={cache}", *files],
        cwd=tree,
        capture_output=True,
        text=True,
        env={"MYPYPATH": str(tree), "PATH": "/usr/bin:/bin"},
    )


def test_the_package_and_correct_calls_pass_mypy_strict(fixture_tree: Path, mypy_cache: Path) -> None:
    (fixture_tree / "usage_good.py").write_text(textwrap.dedent(GOOD))
    result = mypy(fixture_tree, mypy_cache, PACKAGE, "usage_good.py")
    assert result.returncode == 0, result.stdout


def test_wrong_calls_are_caught_by_mypy(fixture_tree: Path, mypy_cache: Path) -> None:
    (fixture_tree / "usage_bad.py").write_text(textwrap.dedent(BAD))
    result = mypy(fixture_tree, mypy_cache, "usage_bad.py")
    lines = {int(line.split(":")[1]) for line in result.stdout.splitlines() if line.startswith("usage_bad.py:")}
    assert lines == set(range(6, 16)), result.stdout


def test_a_path_the_docs_do_not_list_is_one_short_error(fixture_tree: Path, mypy_cache: Path) -> None:
    (fixture_tree / "usage_path.py").write_text(
        f"from {PACKAGE} import AsyncClient, Client\n\n\n"
        "def wrong(client: Client, other: AsyncClient) -> None:\n"
        "    client.chain('v3/pay/no/such/path')\n"
        "    other['v3/pay/transactions']\n"
    )
    result = mypy(fixture_tree, mypy_cache, "usage_path.py")
    reported = [line for line in result.stdout.splitlines() if line.startswith("usage_path.py:")]
    assert [line.split(":")[1] for line in reported] == ["5", "6"], result.stdout
    assert all('"DocumentedPath"' in line and len(line) < 160 for line in reported), result.stdout


def test_the_distribution_installs_and_imports_without_the_generator(fixture_tree: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(fixture_tree)],
        check=True,
        capture_output=True,
    )
    assert (target / PACKAGE / "py.typed").exists() and (target / PACKAGE / "_paths.pyi").exists()
    script = f"import sys, {PACKAGE}; assert 'generator' not in sys.modules; print({PACKAGE}.Client.__name__)"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(target)}
    )
    assert result.stdout.strip() == "Client", result.stderr
