"""`bundle -o FILE` replaces only a bundle it wrote, whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.spec.bundle import bundle
from generator.spec.io import SpecError, read_specs, write_bundle
from tests.conftest import ROOT


@pytest.mark.parametrize("name", ["openapi.yaml", "openapi.json"])
def test_a_bundle_replaces_its_own_file_and_nothing_else(tmp_path: Path, name: str) -> None:
    document = bundle(read_specs(ROOT / "specs"))
    out = tmp_path / name
    write_bundle(document, out)
    write_bundle(document, out)  # its own: replaced
    assert out.stat().st_mode & 0o777 == 0o644
    foreign = tmp_path / f"values-{name}"
    foreign.write_text("keep: me\n", encoding="utf-8")
    with pytest.raises(SpecError, match="did not write"):
        write_bundle(document, foreign)
    assert foreign.read_text(encoding="utf-8") == "keep: me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, foreign.name])  # no temporary left


def test_operation_ids_are_unique_in_a_bundle() -> None:
    from generator.spec.io import SpecFile

    def webhook(key: str) -> SpecFile:
        operation = {"operationId": "webhookV2TransactionSuccess", "x-wechatpay-api": "v2", "responses": {}}
        return SpecFile(f"webhook/{key}", {"webhooks": {key: {"post": operation}}})

    specs = [webhook("v2/TRANSACTION.SUCCESS"), webhook("v2/transaction-success")]
    document = bundle(specs)
    ids = [op["operationId"] for item in document["webhooks"].values() for op in item.values()]
    assert ids == ["webhookV2TransactionSuccess", "webhookV2TransactionSuccess_2"]
    assert specs[1].data["webhooks"]["v2/transaction-success"]["post"]["operationId"] == "webhookV2TransactionSuccess"
