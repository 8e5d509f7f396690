"""The client's settings, declared once in `ClientSettings`: each one's type, default, meaning, check and
environment variable. The constructor's defaults and checks, its signature, `help(Client)` and `from_env` are all
read from that declaration."""

from __future__ import annotations

import ast
import inspect
import os
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from functools import cache
from typing import Annotated, Any, ForwardRef, NamedTuple, TypedDict, get_type_hints

import httpx

from .body import DEFAULT_MAX_RESPONSE_BYTES
from .config import KeySource
from .errors import ConfigurationError
from .secret import Secret, hidden

# the two httpx clients: objects, not settings (no environment variable, no check), so declared beside them
HTTP_CLIENTS = {
    "http_client": "the httpx client calls go through (its transport, proxies, limits); one is made otherwise",
    "mtls_http_client": "the httpx client of the operations that need the merchant certificate; one presenting "
    "`client_cert` is made otherwise",
}


class Setting(NamedTuple):
    """What a setting means (the line `help()` shows), its default, and how `from_env` reads it."""

    meaning: str
    default: Any = None
    env: Callable[[str], Any] | None = str  # the variable's text -> the value; None: not read from the environment
    secret: bool = False  # wrapped in `Secret` at once, so that no repr or traceback's captured locals show it
    check: tuple[Callable[[Any], bool], str] | None = None  # (is the value acceptable?, what it must be)


def _pem_or_paths(value: str) -> str | list[str]:
    """PEM text as it is; otherwise file paths separated by os.pathsep."""
    return value if "-----BEGIN" in value else [part for part in value.split(os.pathsep) if part]


def _positive_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class ClientSettings(TypedDict, total=False):
    """The keyword arguments of `Client` and `AsyncClient`: the one list of them.

    Keys are PEM text, PEM bytes or a file path, and everything is checked at construction, not on first use.
    APIv3 needs `private_key` and `merchant_serial_no`, and a way to verify answers: `wechatpay_public_key` with
    its id, `platform_certificates`, and/or `apiv3_key` (certificates are then downloaded when needed). APIv2 needs
    `apiv2_key`; `client_cert` for the operations that require mTLS; `apiv2_rsa_public_key` for the sensitive fields
    of APIv2 bank payments and risk queries. A verified answer that disagrees with its page is returned all the
    same, its disagreements logged and listed in the result's `doc_disagreements`, unless `strict_responses`.
    The secrets may come wrapped in `Secret`; they are wrapped at once either way."""

    mchid: Annotated[
        str, Setting("the merchant id: filled into every call that leaves `mchid`, `sp_mchid` or `mch_id` out")
    ]
    appid: Annotated[str, Setting("the app id: filled into every call that leaves `appid` or `sp_appid` out")]
    notify_url: Annotated[str, Setting("the notification URL: filled into every call that leaves `notify_url` out")]
    merchant_serial_no: Annotated[
        str, Setting("the serial number of the merchant's API certificate: names the key APIv3 calls are signed with")
    ]
    private_key: Annotated[
        KeySource | Secret[KeySource],
        Setting("the merchant's RSA private key (apiclient_key.pem): PEM text, PEM bytes or a file path", secret=True),
    ]
    wechatpay_public_key: Annotated[
        KeySource, Setting("the WeChat Pay public key that verifies answers and notifications (PEM or path)")
    ]
    wechatpay_public_key_id: Annotated[str, Setting("that key's id (`PUB_KEY_ID_...`)")]
    platform_certificates: Annotated[
        KeySource | Iterable[KeySource],
        Setting("WeChat Pay platform certificates (PEM or paths), the older way to verify answers", env=_pem_or_paths),
    ]
    apiv3_key: Annotated[
        str | bytes | Secret[str] | Secret[bytes],
        Setting(
            "the APIv3 key: decrypts notifications and certificates (downloaded when a new serial shows up)",
            secret=True,
        ),
    ]
    apiv2_key: Annotated[
        str | Secret[str],
        Setting("the APIv2 key: signs APIv2 calls and verifies their answers (MD5 or HMAC-SHA256)", secret=True),
    ]
    apiv2_rsa_public_key: Annotated[
        KeySource, Setting("the PEM /risk/getpublickey returns: encrypts the sensitive fields of APIv2 payments")
    ]
    client_cert: Annotated[
        KeySource, Setting("apiclient_cert.pem: the TLS client certificate some APIv2 operations require")
    ]
    base_url: Annotated[
        str,
        Setting(
            "the host calls go to instead of https://api.mch.weixin.qq.com (a proxy, a test server)",
            check=(lambda url: url is None or url.startswith(("https://", "http://")), "be an http(s) URL"),
        ),
    ]
    timeout: Annotated[
        float | httpx.Timeout,
        Setting("seconds a call may take, or an httpx.Timeout; a call's own `timeout=` wins", 10.0, float),
    ]
    max_retries: Annotated[
        int,
        Setting(
            "how often a call that failed on the way or met a 429/5xx is tried again (when safe to repeat)",
            2,
            int,
            check=(lambda count: count >= 0, "be 0 or more"),
        ),
    ]
    max_response_bytes: Annotated[
        int,
        Setting(
            "the cap on every answer and download once decompressed: more raises PayloadTooLargeError",
            DEFAULT_MAX_RESPONSE_BYTES,
            int,
            check=(_positive_count, "be a positive number of bytes"),
        ),
    ]
    verify: Annotated[
        bool | str, Setting("TLS verification of the server: True, False or a CA bundle path", True, None)
    ]
    strict_responses: Annotated[
        bool, Setting("True raises ResponseValidationError for an answer that disagrees with its page", False, None)
    ]
    validate_request: Annotated[
        bool, Setting("False sends calls without checking them against the docs first", True, None)
    ]


@cache
def declared() -> dict[str, Setting]:
    """Each setting's `Setting`, in the declaration's order."""
    hints = get_type_hints(ClientSettings, include_extras=True)
    return {name: hint.__metadata__[0] for name, hint in hints.items()}


def variable(name: str) -> str:
    """The environment variable `from_env` reads a setting from: WECHATPAY_ and its name, said once
    (`wechatpay_public_key`: WECHATPAY_PUBLIC_KEY)."""
    return "WECHATPAY_" + name.upper().removeprefix("WECHATPAY_")


def resolved(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting: the given value, else its default."""
    unknown = sorted(set(settings) - set(declared()))
    if unknown:
        raise TypeError(f"unexpected setting {unknown[0]!r}: see help() for the settings")
    return {name: settings.get(name, setting.default) for name, setting in declared().items()}


def check_settings(values: Mapping[str, Any]) -> None:
    """Raise ConfigurationError for the first value its declaration's check refuses."""
    for name, setting in declared().items():
        if setting.check is not None and not setting.check[0](values[name]):
            raise ConfigurationError(f"{name}: must {setting.check[1]}")


def hide_settings(settings: MutableMapping[str, Any]) -> None:
    """Wrap the secret settings in place: the caller's frame holds the mapping, and its repr is what tracebacks
    show."""
    for name, setting in declared().items():
        if setting.secret and settings.get(name) is not None:
            settings[name] = hidden(settings[name])


def settings_from_env(environ: Mapping[str, str] | None) -> dict[str, Any]:
    """Settings from their variables (None: os.environ), those set and not empty; PEM values may be inline text or
    a file path. Secrets come wrapped, and no local here holds the environment (its repr shows every variable)."""
    found: dict[str, Any] = {}
    for name, setting in declared().items():
        text = (os.environ if environ is None else environ).get(variable(name))
        if setting.env is None or not text:
            continue
        try:
            found[name] = hidden(setting.env(text)) if setting.secret else setting.env(text)
        except ValueError:
            raise ConfigurationError(f"{variable(name)}: not a number") from None
    return found


def settings_doc(intro: str) -> str:
    """A client class's docstring: `intro`, then what each setting means, and its environment variable."""
    lines = [f"- {name}: {meaning}" for name, meaning in HTTP_CLIENTS.items()]
    for name, setting in declared().items():
        source = f" ({variable(name)})" if setting.env is not None else ""
        lines.append(f"- {name}: {setting.meaning}{source}")
    settings = "\n".join(lines)
    guide = inspect.cleandoc(ClientSettings.__doc__ or "").partition("\n\n")[2]
    heading = "Settings (keyword-only; types and defaults in the signature; from_env reads the variables named)"
    return f"{inspect.cleandoc(intro)}\n\n{heading}:\n\n{settings}\n\n{guide}"


class SettingsSignature:
    """A client class's `__signature__`, made when first asked for (by `help()` or `inspect`): the httpx clients
    from its constructor, then each setting with its type as declared and its default."""

    def __get__(self, instance: object, owner: type[Any]) -> inspect.Signature:
        parameters = inspect.signature(owner.__init__).parameters
        settings = [
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=setting.default, annotation=_written(name))
            for name, setting in declared().items()
        ]
        return inspect.Signature([*(parameters[name] for name in HTTP_CLIENTS), *settings])


def _written(name: str) -> str:
    """A setting's type as the declaration writes it: the first argument of its `Annotated[...]`."""
    annotation = ClientSettings.__annotations__[name]
    text = annotation.__forward_arg__ if isinstance(annotation, ForwardRef) else str(annotation)
    subscript = ast.parse(text, mode="eval").body
    assert isinstance(subscript, ast.Subscript) and isinstance(subscript.slice, ast.Tuple)
    return ast.unparse(subscript.slice.elts[0])
