"""The published protocol vectors reproduce exactly (file from $WECHATPAY_VECTORS, never copied here)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from .conftest import rt  # noqa: I001 - registers the runtime package first
from wechatpay_runtime_under_test import config as _config, crypto as _crypto, signing, v2 as _v2
from wechatpay_runtime_under_test.hooks import client_hooks


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    value = os.environ.get("WECHATPAY_VECTORS")
    if not value:
        pytest.skip("WECHATPAY_VECTORS is not set: point it at ../shared/vectors/wechatpay-protocol.json")
    path = Path(value)
    if not path.is_file():
        pytest.skip(f"WECHATPAY_VECTORS={value} does not exist")
    return json.loads(path.read_text(encoding="utf-8"))


def test_rsa_sha256_signature(vectors: dict[str, Any]) -> None:
    v = vectors["rsa_sha256_signature"]
    key = _config.load_private_key(v["private_key_pem"])
    assert _crypto.rsa_sign(key, v["message"].encode()) == v["expected_signature_base64"]


def test_authorization_header_uses_the_vector_key(vectors: dict[str, Any]) -> None:
    v = vectors["rsa_sha256_signature"]
    header = signing.authorization(
        mchid=v["mchid"],
        serial_no=v["merchant_serial_no"],
        key=_config.load_private_key(v["private_key_pem"]),
        method="GET",
        target="/v3/certificates",
        body=b"",
        timestamp=1554208460,
        nonce="593BEC0C930BF1AFEB40B4A08C8FB242",
    )
    assert header.startswith(
        'WECHATPAY2-SHA256-RSA2048 mchid="1234567890",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242"'
    )
    assert f'serial_no="{v["merchant_serial_no"]}"' in header


def _webhook_client(v: dict[str, Any], private_key: str, *, clock: float, short_ok: bool = True) -> Any:
    """A client at the vectors' time, taking their 16-byte APIv3 key: test hooks, no constructor settings."""
    with client_hooks(clock=lambda: clock, short_apiv3_key=short_ok):
        return rt.SyncClientBase(
            mchid="1234567890",
            merchant_serial_no="F5765756002FDD77",
            private_key=private_key,
            platform_certificates=v["platform_certificate_pem"],
            apiv3_key=v["api_v3_key"],
        )


def test_webhook_vector(vectors: dict[str, Any]) -> None:
    v = vectors["webhook"]
    client = _webhook_client(v, vectors["rsa_sha256_signature"]["private_key_pem"], clock=v["clock_at"])
    cert = _config.load_certificates(v["platform_certificate_pem"], "platform_certificates")[0]
    assert _config.certificate_serial(cert) == v["certificate_serial_hex"]
    result = client.parse_notification(v["headers"], v["body"].encode())
    assert result["resource"] == json.loads(v["expected_plaintext"])
    assert result["event_type"] == "PAYSCORE.USER_OPEN_SERVICE"
    assert result["resource_raw"]["associated_data"] == "payscore"


def test_webhook_vector_any_header_casing(vectors: dict[str, Any]) -> None:
    v = vectors["webhook"]
    client = _webhook_client(v, vectors["rsa_sha256_signature"]["private_key_pem"], clock=v["clock_at"] + 299)
    headers = {k.upper(): val for k, val in v["headers"].items()}
    assert client.parse_notification(headers, v["body"].encode())["resource"]["mchid"] == "1234567890"


def test_webhook_vector_outside_window(vectors: dict[str, Any]) -> None:
    v = vectors["webhook"]
    client = _webhook_client(v, vectors["rsa_sha256_signature"]["private_key_pem"], clock=v["clock_at"] + 300)
    with pytest.raises(rt.TimestampOutOfWindowError):
        client.parse_notification(v["headers"], v["body"].encode())


def test_webhook_vector_key_is_refused_without_test_override(vectors: dict[str, Any]) -> None:
    v = vectors["webhook"]
    with pytest.raises(rt.ConfigurationError, match="apiv3_key: must be 32 bytes"):
        _webhook_client(v, vectors["rsa_sha256_signature"]["private_key_pem"], clock=0, short_ok=False)


def test_aes_gcm(vectors: dict[str, Any]) -> None:
    v = vectors["aes_gcm"]
    key = rt.Secret(v["key"].encode())
    plaintext = _crypto.aes_gcm_decrypt(key, v["nonce"], v["associated_data"], v["ciphertext_base64"])
    assert plaintext.decode() == v["expected_plaintext"]


def test_apiv2_sign(vectors: dict[str, Any]) -> None:
    v = vectors["apiv2_sign"]
    key = rt.Secret(v["key"])
    assert _v2.sign(v["params"], key, "MD5") == v["expected_md5"]
    assert _v2.sign(v["params"], key, "HMAC-SHA256") == v["expected_hmac_sha256"]
    # empty fields and an existing `sign` do not take part
    assert _v2.sign({**v["params"], "sign": "X", "attach": ""}, key, "MD5") == v["expected_md5"]
