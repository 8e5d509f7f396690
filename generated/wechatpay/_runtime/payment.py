"""What the merchant's page or app needs, after ordering, to open WeChat Pay's cashier: the signed parameters of
`WeixinJSBridge.invoke('getBrandWCPayRequest', …)` / `wx.requestPayment(…)` (JSAPI, mini-programs) and of the APP
SDK's `PayReq`. APIv3 signs them with the merchant's private key (RSA); APIv2 with the APIv2 key (MD5 or
HMAC-SHA256, as the order was placed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import v2
from .crypto import rsa_sign
from .secret import Secret

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey


def jsapi_params(key: RSAPrivateKey, appid: str, prepay_id: str, timestamp: int, nonce: str) -> dict[str, str]:
    """`paySign` over `appId\\ntimeStamp\\nnonceStr\\npackage\\n`."""
    package = f"prepay_id={prepay_id}"
    message = f"{appid}\n{timestamp}\n{nonce}\n{package}\n".encode()
    return {
        "appId": appid,
        "timeStamp": str(timestamp),
        "nonceStr": nonce,
        "package": package,
        "signType": "RSA",
        "paySign": rsa_sign(key, message),
    }


def app_params(key: RSAPrivateKey, appid: str, mchid: str, prepay_id: str, timestamp: int, nonce: str) -> dict[str, str]:
    """`sign` over `appid\\ntimestamp\\nnoncestr\\nprepayid\\n`."""
    message = f"{appid}\n{timestamp}\n{nonce}\n{prepay_id}\n".encode()
    return {
        "appid": appid,
        "partnerid": mchid,
        "prepayid": prepay_id,
        "package": "Sign=WXPay",
        "noncestr": nonce,
        "timestamp": str(timestamp),
        "sign": rsa_sign(key, message),
    }


def jsapi_params_v2(
    apiv2_key: Secret[str], appid: str, prepay_id: str, timestamp: int, nonce: str, sign_type: str
) -> dict[str, str]:
    """`paySign`: the APIv2 signature over the other five fields."""
    params = {
        "appId": appid,
        "timeStamp": str(timestamp),
        "nonceStr": nonce,
        "package": f"prepay_id={prepay_id}",
        "signType": sign_type,
    }
    return {**params, "paySign": v2.sign(params, apiv2_key, sign_type)}


def app_params_v2(
    apiv2_key: Secret[str], appid: str, mchid: str, prepay_id: str, timestamp: int, nonce: str, sign_type: str
) -> dict[str, str]:
    """`sign`: the APIv2 signature over the other six fields."""
    params = {
        "appid": appid,
        "partnerid": mchid,
        "prepayid": prepay_id,
        "package": "Sign=WXPay",
        "noncestr": nonce,
        "timestamp": str(timestamp),
    }
    return {**params, "sign": v2.sign(params, apiv2_key, sign_type)}
