"""The cashier's parameters after an order: signed so that WeChat Pay's JSAPI / mini-program / APP cashier accepts
them. Checked with the merchant's public key (APIv3) and with the published APIv2 algorithm, written here anew."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from .conftest import rt
from .fake_server import FakeWeChatPay


def verified(server: FakeWeChatPay, message: str, signature: str) -> bool:
    try:
        server.merchant.key.public_key().verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except Exception:  # noqa: BLE001 - any failure is a bad signature
        return False
    return True


def apiv2_sign(params: dict[str, str], key: str, sign_type: str) -> str:
    text = "&".join(f"{k}={params[k]}" for k in sorted(params) if params[k]) + f"&key={key}"
    if sign_type == "MD5":
        return hashlib.md5(text.encode()).hexdigest().upper()
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest().upper()


def test_jsapi_and_mini_program_parameters(server: FakeWeChatPay) -> None:
    client = rt.SyncClientBase(**server.client_settings(), appid="wx_mp")
    params = client.jsapi_pay_params(prepay_id="wx201410272009395522657a690389285100")
    assert set(params) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert params["appId"] == "wx_mp" and params["signType"] == "RSA"
    assert params["package"] == "prepay_id=wx201410272009395522657a690389285100"
    message = f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    assert verified(server, message, params["paySign"])
    assert not verified(server, message.replace("wx_mp", "wx_other"), params["paySign"])


def test_app_parameters(server: FakeWeChatPay) -> None:
    client = rt.SyncClientBase(**server.client_settings())
    params = client.app_pay_params(appid="wx_app", prepay_id="wx1")
    assert params["partnerid"] == server.merchant.mchid and params["package"] == "Sign=WXPay"
    message = f"wx_app\n{params['timestamp']}\n{params['noncestr']}\nwx1\n"
    assert verified(server, message, params["sign"])


@pytest.mark.parametrize("sign_type", ["MD5", "HMAC-SHA256"])
def test_apiv2_parameters(server: FakeWeChatPay, sign_type: str) -> None:
    client = rt.SyncClientBase(**server.client_settings(), appid="wx_mp")
    jsapi = client.jsapi_pay_params_v2(prepay_id="wx2", sign_type=sign_type)
    assert jsapi["signType"] == sign_type
    assert jsapi["paySign"] == apiv2_sign({k: v for k, v in jsapi.items() if k != "paySign"}, server.apiv2_key, sign_type)
    app = client.app_pay_params_v2(prepay_id="wx2", sign_type=sign_type)
    assert app["sign"] == apiv2_sign({k: v for k, v in app.items() if k != "sign"}, server.apiv2_key, sign_type)


def test_an_appid_is_needed(server: FakeWeChatPay) -> None:
    client = rt.SyncClientBase(**server.client_settings())
    with pytest.raises(rt.ConfigurationError, match="appid"):
        client.jsapi_pay_params(prepay_id="wx1")
