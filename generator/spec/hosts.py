"""The hosts WeChat Pay serves its API from. A page's `base_uri` sends the SDK's signed requests to another host,
so a page (or a hand-edited spec) may only name one of these, over https; users add a genuine new one with
`hosts` in `[tool.wechatpay-codegen]`."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

WECHATPAY_HOSTS = frozenset(
    {
        "api.mch.weixin.qq.com",  # the API's own host, the client's default
        "api2.mch.weixin.qq.com",  # its backup
        "apihk.mch.weixin.qq.com",  # Hong Kong wallet and global payments
        "fraud.mch.weixin.qq.com",  # risk control
        "payapp.weixin.qq.com",  # payment-code and app endpoints
        "api.weixin.qq.com",  # browser redirects (papay entrustweb)
    }
)


def base_url_problem(url: str, extra_hosts: Iterable[str] = ()) -> str | None:
    """Why `url` may not receive signed requests, or None when it may."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a URL"
    if parts.scheme != "https":
        return "is not https"
    if parts.username or parts.password or port not in (None, 443) or parts.query or parts.fragment:
        return "carries credentials, a port, a query or a fragment"
    host = parts.hostname or ""
    if host not in WECHATPAY_HOSTS and host not in set(extra_hosts):
        return f"names {host or 'no host'}, not a WeChat Pay host (add it to `hosts` in [tool.wechatpay-codegen] if it is one)"
    return None
