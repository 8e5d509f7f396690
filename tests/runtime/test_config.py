"""Construction fails early, naming the setting and the reason; keys load from text, bytes or a path."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from .conftest import rt  # noqa: I001 - registers the runtime package first
from wechatpay_runtime_under_test import settings as settings_module
from wechatpay_runtime_under_test.hooks import client_hooks
from .fake_server import FakeWeChatPay, Merchant, Signer, cert_pem, new_key, private_pem, public_pem


@pytest.fixture(scope="module")
def merchant() -> Merchant:
    return Merchant.create()


def settings(merchant: Merchant, signer: Signer, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "mchid": merchant.mchid,
        "merchant_serial_no": merchant.serial_no,
        "private_key": private_pem(merchant.key),
        "platform_certificates": [cert_pem(signer.certificate)],
        "apiv3_key": "0123456789abcdef0123456789abcdef",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def test_valid_from_text_bytes_and_path(merchant: Merchant, signer: Signer, tmp_path: Path) -> None:
    key_file = tmp_path / "apiclient_key.pem"
    key_file.write_text(private_pem(merchant.key))
    for source in (private_pem(merchant.key), private_pem(merchant.key).encode(), key_file, str(key_file)):
        client = rt.SyncClientBase(**settings(merchant, signer, private_key=source))
        assert client.mchid == merchant.mchid
        client.close()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mchid": ""}, "mchid: required"),
        ({"merchant_serial_no": None}, "private_key and merchant_serial_no"),
        ({"private_key": "no/such/file.pem"}, "private_key: cannot read file"),
        (
            {"private_key": "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"},
            "private_key: not a readable",
        ),
        ({"apiv3_key": "short"}, "apiv3_key: must be 32 bytes"),
        ({"apiv2_key": "short"}, "apiv2_key: must be 32 ASCII characters"),
        ({"wechatpay_public_key_id": "PUB_KEY_ID_1"}, "wechatpay_public_key and wechatpay_public_key_id"),
        ({"platform_certificates": None, "apiv3_key": None}, "responses cannot be verified"),
        ({"base_url": "ftp://example"}, "base_url"),
        ({"max_retries": -1}, "max_retries"),
    ],
)
def test_bad_settings(merchant: Merchant, signer: Signer, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(rt.ConfigurationError, match=message):
        rt.SyncClientBase(**settings(merchant, signer, **changes))


def test_certificate_where_key_belongs(merchant: Merchant, signer: Signer) -> None:
    with pytest.raises(rt.ConfigurationError, match="private_key: got a certificate where the merchant private key"):
        rt.SyncClientBase(**settings(merchant, signer, private_key=cert_pem(merchant.certificate)))


def test_private_key_where_public_key_belongs(merchant: Merchant, signer: Signer) -> None:
    with pytest.raises(rt.ConfigurationError, match="wechatpay_public_key: got a private key"):
        rt.SyncClientBase(
            **settings(
                merchant, signer, wechatpay_public_key=private_pem(new_key()), wechatpay_public_key_id="PUB_KEY_ID_0112"
            )
        )


def test_key_where_certificate_belongs(merchant: Merchant, signer: Signer) -> None:
    with pytest.raises(rt.ConfigurationError, match="platform_certificates: got a private key"):
        rt.SyncClientBase(**settings(merchant, signer, platform_certificates=[private_pem(new_key())]))


def test_public_key_id_prefix(merchant: Merchant, signer: Signer) -> None:
    with pytest.raises(rt.ConfigurationError, match="must start with 'PUB_KEY_ID_'"):
        rt.SyncClientBase(
            **settings(
                merchant,
                signer,
                wechatpay_public_key=public_pem(new_key().public_key()),
                wechatpay_public_key_id="0112",
            )
        )


def test_key_not_matching_serials_certificate(merchant: Merchant, signer: Signer) -> None:
    other = Merchant.create()
    with pytest.raises(rt.ConfigurationError, match="private_key: does not match the public key of client_cert"):
        rt.SyncClientBase(**settings(merchant, signer, client_cert=cert_pem(other.certificate)))
    with pytest.raises(rt.ConfigurationError, match="merchant_serial_no: .* is not the serial of client_cert"):
        rt.SyncClientBase(
            **settings(merchant, signer, merchant_serial_no="ABCDEF", client_cert=cert_pem(merchant.certificate))
        )
    rt.SyncClientBase(**settings(merchant, signer, client_cert=cert_pem(merchant.certificate))).close()


def test_short_apiv3_key_only_with_test_override(merchant: Merchant, signer: Signer) -> None:
    with pytest.raises(rt.ConfigurationError):
        rt.SyncClientBase(**settings(merchant, signer, apiv3_key="0123456789abcdef"))
    with client_hooks(short_apiv3_key=True):
        rt.SyncClientBase(**settings(merchant, signer, apiv3_key="0123456789abcdef"))
    with pytest.raises(rt.ConfigurationError):  # the hook ends with its block
        rt.SyncClientBase(**settings(merchant, signer, apiv3_key="0123456789abcdef"))


@pytest.mark.parametrize("hook", [{"clock": lambda: 0.0}, {"allow_short_apiv3_key_for_tests": True}])
def test_test_hooks_are_no_constructor_settings(merchant: Merchant, signer: Signer, hook: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="unexpected setting"):
        rt.SyncClientBase(**settings(merchant, signer), **hook)
    assert not set(hook) & set(inspect.signature(rt.SyncClientBase.__init__).parameters)


def test_a_client_made_under_the_clock_hook_keeps_its_time(merchant: Merchant, signer: Signer) -> None:
    with client_hooks(clock=lambda: 1700000000.5):
        client = rt.SyncClientBase(**settings(merchant, signer, appid="wx1"))
    assert client.jsapi_pay_params(prepay_id="wx2")["timeStamp"] == "1700000000"  # after the block too


def test_apiv2_only_client(merchant: Merchant, signer: Signer) -> None:
    client = rt.SyncClientBase(mchid="10000100", apiv2_key="192006250b4c09247ec02edce69f6a2d")
    with pytest.raises(rt.ConfigurationError, match="private_key: required for APIv3"):
        client._send(rt.Operation("GET", "/v3/certificates"))


def test_from_env(server: FakeWeChatPay, tmp_path: Path) -> None:
    settings_ = server.client_settings()
    cert_file = tmp_path / "platform.pem"
    cert_file.write_text(settings_["platform_certificates"][0])
    environ = {
        "WECHATPAY_MCHID": settings_["mchid"],
        "WECHATPAY_MERCHANT_SERIAL_NO": settings_["merchant_serial_no"],
        "WECHATPAY_PRIVATE_KEY": settings_["private_key"],
        "WECHATPAY_PLATFORM_CERTIFICATES": str(cert_file),
        "WECHATPAY_APIV3_KEY": settings_["apiv3_key"],
        "WECHATPAY_BASE_URL": server.base_url,
        "WECHATPAY_TIMEOUT": "5",
        "WECHATPAY_MAX_RETRIES": "1",
    }
    with rt.SyncClientBase.from_env(environ) as client:
        assert client.max_retries == 1 and client.timeout == 5.0
        assert client.request("GET", "/v3/certificates").status_code == 200
    with pytest.raises(rt.ConfigurationError, match="WECHATPAY_TIMEOUT"):
        rt.SyncClientBase.from_env({**environ, "WECHATPAY_TIMEOUT": "soon"})


def test_the_settings_are_declared_once_and_the_rest_is_read_from_there() -> None:
    declared = settings_module.declared()
    assert list(declared) == list(settings_module.ClientSettings.__annotations__)
    assert list(inspect.signature(rt.SyncClientBase).parameters) == [*settings_module.HTTP_CLIENTS, *declared]
    variables = {settings_module.variable(name) for name, setting in declared.items() if setting.env is not None}
    assert variables == {  # the variables from_env read when they were a list of their own
        "WECHATPAY_MCHID", "WECHATPAY_APPID", "WECHATPAY_NOTIFY_URL", "WECHATPAY_MERCHANT_SERIAL_NO",
        "WECHATPAY_PRIVATE_KEY", "WECHATPAY_PUBLIC_KEY", "WECHATPAY_PUBLIC_KEY_ID", "WECHATPAY_PLATFORM_CERTIFICATES",
        "WECHATPAY_APIV3_KEY", "WECHATPAY_APIV2_KEY", "WECHATPAY_APIV2_RSA_PUBLIC_KEY", "WECHATPAY_CLIENT_CERT",
        "WECHATPAY_BASE_URL", "WECHATPAY_TIMEOUT", "WECHATPAY_MAX_RETRIES", "WECHATPAY_MAX_RESPONSE_BYTES",
    }  # fmt: skip
    assert [name for name, setting in declared.items() if setting.secret] == ["private_key", "apiv3_key", "apiv2_key"]
    doc = settings_module.settings_doc("A client.")
    assert "- timeout: seconds a call may take" in doc and "(WECHATPAY_TIMEOUT)" in doc and "APIv2 needs" in doc
