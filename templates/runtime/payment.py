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
    """`paySign` over `appId\ntimeStamp\nnonceStr\npackage\n`."""
    fields = _jsapi_fields(appid, prepay_id, timestamp, nonce)
    message = "".join(f"{value}\n" for value in fields.values()).encode()
    return {**fields, "signType": "RSA", "paySign": rsa_sign(key, message)}


def app_params(
    key: RSAPrivateKey, appid: str, mchid: str, prepay_id: str, timestamp: int, nonce: str
) -> dict[str, str]:
    """`sign` over `appid\ntimestamp\nnoncestr\nprepayid\n`."""
    message = f"{appid}\n{timestamp}\n{nonce}\n{prepay_id}\n".encode()
    return {**_app_fields(appid, mchid, prepay_id, timestamp, nonce), "sign": rsa_sign(key, message)}


def jsapi_params_v2(
    apiv2_key: Secret[str], appid: str, prepay_id: str, timestamp: int, nonce: str, sign_type: str
) -> dict[str, str]:
    """`paySign`: the APIv2 signature over the other five fields."""
    fields = {**_jsapi_fields(appid, prepay_id, timestamp, nonce), "signType": sign_type}
    return {**fields, "paySign": v2.sign(fields, apiv2_key, sign_type)}


def app_params_v2(
    apiv2_key: Secret[str], appid: str, mchid: str, prepay_id: str, timestamp: int, nonce: str, sign_type: str
) -> dict[str, str]:
    """`sign`: the APIv2 signature over the other six fields."""
    fields = _app_fields(appid, mchid, prepay_id, timestamp, nonce)
    return {**fields, "sign": v2.sign(fields, apiv2_key, sign_type)}


def _jsapi_fields(appid: str, prepay_id: str, timestamp: int, nonce: str) -> dict[str, str]:
    return {"appId": appid, "timeStamp": str(timestamp), "nonceStr": nonce, "package": f"prepay_id={prepay_id}"}


def _app_fields(appid: str, mchid: str, prepay_id: str, timestamp: int, nonce: str) -> dict[str, str]:
    return {
        "appid": appid,
        "partnerid": mchid,
        "prepayid": prepay_id,
        "package": "Sign=WXPay",
        "noncestr": nonce,
        "timestamp": str(timestamp),
    }
