"""Loading and checking the merchant's key material; every failure names the setting and the reason."""

from __future__ import annotations

import os
import re
import ssl
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Union

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

from .errors import ConfigurationError
from .secret import Secret, hidden

if TYPE_CHECKING:  # x509 is heavy: loaded when certificates are given
    from cryptography import x509

# PEM text (str with a BEGIN line, or bytes) or a path to a PEM file.
KeySource = Union[str, bytes, "os.PathLike[str]"]
# A value that is no file and looks like this is key material without its PEM armour: never echoed.
_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=_\-\s]{40,}")
_LONGEST_FILE_NAME = 4096  # PATH_MAX: anything longer is no path

PUBLIC_KEY_ID_PREFIX = "PUB_KEY_ID_"
_AES_KEY_SIZES_FOR_TESTS = (16, 24, 32)


def _read_pem(source: Secret[KeySource], setting: str) -> Secret[bytes]:
    """PEM bytes from PEM text, PEM bytes or a file path. No local holds the value (locals show in tracebacks),
    and a value that is no readable file is echoed only when it cannot be key material."""
    if not isinstance(source.reveal(), (str, bytes, os.PathLike)):
        raise ConfigurationError(
            f"{setting}: expected PEM text, PEM bytes or a file path, got {type(source.reveal()).__name__}"
        )
    inline = _inline_pem(source.reveal())
    if inline is not None:
        return inline
    content, reason = _read_file(source)
    if content is None:
        raise ConfigurationError(_unreadable(source, setting, reason))
    return content


def _inline_pem(value: KeySource) -> Secret[bytes] | None:
    if isinstance(value, bytes):
        return Secret(value)
    if isinstance(value, str) and "-----BEGIN" in value:
        return Secret(value.encode("ascii", "replace"))
    return None


def _read_file(source: Secret[KeySource]) -> tuple[Secret[bytes] | None, str]:
    """The file's bytes, or None and the reason; never raises: the OSError would carry the value as its filename."""
    try:
        return Secret(Path(os.fsdecode(source.reveal())).read_bytes()), ""
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        return None, exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a file name"


def _unreadable(source: Secret[KeySource], setting: str, reason: str) -> str:
    if _looks_like_key_material(os.fsdecode(source.reveal())):
        return (
            f"{setting}: neither PEM text (no -----BEGIN line) nor a readable file; the value looks like key "
            "material without its PEM armour, so it is not shown: pass the PEM text or a file path"
        )
    return f"{setting}: cannot read file {os.fsdecode(source.reveal())!r}: {reason}"


def _looks_like_key_material(text: str) -> bool:
    return len(text) > _LONGEST_FILE_NAME or "\n" in text or _KEY_MATERIAL.fullmatch(text) is not None


def _pem_kind(pem: bytes) -> str:
    """The first PEM block's label: 'PRIVATE KEY', 'CERTIFICATE', 'PUBLIC KEY', ... or ''."""
    start = pem.find(b"-----BEGIN ")
    if start < 0:
        return ""
    end = pem.find(b"-----", start + 11)
    return pem[start + 11 : end].decode("ascii", "replace") if end > 0 else ""


def load_private_key(value: KeySource | Secret[KeySource], setting: str = "private_key") -> RSAPrivateKey:
    pem = _read_pem(hidden(value), setting)
    kind = _pem_kind(pem.reveal())
    if "CERTIFICATE" in kind:
        raise ConfigurationError(
            f"{setting}: got a certificate where the merchant private key belongs (apiclient_key.pem)"
        )
    if "PUBLIC KEY" in kind:
        raise ConfigurationError(
            f"{setting}: got a public key where the merchant private key belongs (apiclient_key.pem)"
        )
    try:
        # The merchant's own key: the costly primality checks (~45 ms, most of a client's construction) guard
        # against hostile keys, and a damaged one only yields signatures the service refuses.
        key = serialization.load_pem_private_key(pem.reveal(), password=None, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError):
        raise ConfigurationError(f"{setting}: not a readable unencrypted PEM private key") from None
    if not isinstance(key, RSAPrivateKey):
        raise ConfigurationError(f"{setting}: must be an RSA key, got {type(key).__name__}")
    return key


def load_public_key(value: KeySource, setting: str = "wechatpay_public_key") -> RSAPublicKey:
    pem = _read_pem(Secret(value), setting).reveal()  # public: no secret to hide
    kind = _pem_kind(pem)
    if "PRIVATE KEY" in kind:
        raise ConfigurationError(f"{setting}: got a private key where a public key belongs")
    if "CERTIFICATE" in kind:
        raise ConfigurationError(
            f"{setting}: got a certificate where a public key belongs (pass it in platform_certificates)"
        )
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise ConfigurationError(f"{setting}: not a readable PEM public key") from None
    if not isinstance(key, RSAPublicKey):
        raise ConfigurationError(f"{setting}: must be an RSA key, got {type(key).__name__}")
    return key


def certificate_serial(certificate: x509.Certificate) -> str:
    """The serial as WeChat Pay writes it in Wechatpay-Serial: upper-case hex."""
    return format(certificate.serial_number, "X")


def normalize_serial(serial: str) -> str:
    """Certificate serials compare as numbers (leading zeros and case vary); key ids compare as text."""
    text = serial.strip()
    if text.startswith(PUBLIC_KEY_ID_PREFIX):
        return text
    try:
        return format(int(text, 16), "X")
    except ValueError:
        return text


def load_certificates(value: KeySource | Iterable[KeySource], setting: str) -> list[x509.Certificate]:
    sources: list[KeySource] = [value] if isinstance(value, (str, bytes, os.PathLike)) else list(value)
    from cryptography import x509

    certificates: list[x509.Certificate] = []
    for source in sources:
        pem = _read_pem(Secret(source), setting).reveal()  # public: no secret to hide
        if "PRIVATE KEY" in _pem_kind(pem):
            raise ConfigurationError(f"{setting}: got a private key where a certificate belongs")
        try:
            certificates.extend(x509.load_pem_x509_certificates(pem))
        except ValueError:
            raise ConfigurationError(f"{setting}: not a readable PEM certificate") from None
    for certificate in certificates:
        if not isinstance(certificate.public_key(), RSAPublicKey):
            raise ConfigurationError(f"{setting}: certificate {certificate_serial(certificate)} has no RSA key")
    return certificates


def _same_key(private_key: RSAPrivateKey, public_key: RSAPublicKey) -> bool:
    return private_key.public_key().public_numbers() == public_key.public_numbers()


def _apiv3_key(value: Secret[str] | Secret[bytes], allow_short: bool) -> Secret[bytes]:
    key = Secret(_utf8(value.reveal()))
    size = len(key.reveal())
    if size == 32 or (allow_short and size in _AES_KEY_SIZES_FOR_TESTS):
        return key
    raise ConfigurationError(f"apiv3_key: must be 32 bytes (AES-256), got {size} bytes")


def _utf8(value: str | bytes) -> bytes:
    # "surrogatepass": never an encoding error, whose `object` would hold the key
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value


def _apiv2_key(value: Secret[str]) -> Secret[str]:
    size = len(value.reveal())
    if size != 32 or not value.reveal().isascii():
        raise ConfigurationError(f"apiv2_key: must be 32 ASCII characters, got {size} characters")
    return value


class ClientCertificate(NamedTuple):  # not frozen dataclasses: their classes cost ~2 ms each at import
    """The merchant API certificate (apiclient_cert.pem) for mTLS; its key is `private_key`."""

    certificate: x509.Certificate
    private_key: RSAPrivateKey

    def __repr__(self) -> str:
        return f"ClientCertificate(serial={certificate_serial(self.certificate)})"

    def ssl_context(self, verify: bool | str) -> ssl.SSLContext:
        """A TLS context presenting this certificate. `ssl` only loads chains from files, so the PEMs
        go through a private temporary directory that is removed at once."""
        context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
        if verify is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        with tempfile.TemporaryDirectory() as folder:
            cert_path, key_path = Path(folder, "cert.pem"), Path(folder, "key.pem")
            cert_path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
            key_path.touch(mode=0o600)
            key_path.write_bytes(
                self.private_key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
            context.load_cert_chain(cert_path, key_path)
        return context


class Credentials(NamedTuple):
    """Checked key material. Secrets are excluded from the repr."""

    mchid: str
    merchant_serial_no: str | None
    private_key: RSAPrivateKey | None
    wechatpay_public_key: RSAPublicKey | None
    wechatpay_public_key_id: str | None
    platform_certificates: tuple[x509.Certificate, ...]
    apiv3_key: Secret[bytes] | None
    apiv2_key: Secret[str] | None
    apiv2_rsa_public_key: RSAPublicKey | None
    client_certificate: ClientCertificate | None

    def __repr__(self) -> str:
        return (
            f"Credentials(mchid={self.mchid!r}, merchant_serial_no={self.merchant_serial_no!r}, "
            f"wechatpay_public_key_id={self.wechatpay_public_key_id!r})"
        )


def load_credentials(settings: Mapping[str, Any], short_apiv3_key: bool = False) -> Credentials:
    """Load and cross-check the key material among the settings (secrets already wrapped); raise
    ConfigurationError at the first problem. `short_apiv3_key`: tests only (see hooks.py)."""
    mchid, serial_no, private_key = settings["mchid"], settings["merchant_serial_no"], settings["private_key"]
    public_key, public_key_id = settings["wechatpay_public_key"], settings["wechatpay_public_key_id"]
    certificates, apiv3_key, apiv2_key = settings["platform_certificates"], settings["apiv3_key"], settings["apiv2_key"]
    if not mchid or not str(mchid).strip():
        raise ConfigurationError("mchid: required (the merchant id, e.g. '1230000109')")
    if (private_key is None) != (serial_no is None):
        raise ConfigurationError(
            "private_key and merchant_serial_no: APIv3 signing needs both, or neither for APIv2 only"
        )
    if private_key is None and apiv2_key is None:
        raise ConfigurationError("private_key: required for APIv3 (or set apiv2_key for an APIv2-only client)")
    if (public_key is None) != (public_key_id is None):
        raise ConfigurationError("wechatpay_public_key and wechatpay_public_key_id: set both or neither")
    if public_key_id is not None and not public_key_id.startswith(PUBLIC_KEY_ID_PREFIX):
        raise ConfigurationError(f"wechatpay_public_key_id: must start with {PUBLIC_KEY_ID_PREFIX!r}")
    if private_key is not None and public_key is None and not certificates and apiv3_key is None:
        raise ConfigurationError(
            "wechatpay_public_key: responses cannot be verified; set wechatpay_public_key and its id, "
            "platform_certificates, or apiv3_key (to download platform certificates)"
        )

    key = load_private_key(private_key) if private_key is not None else None
    serial = serial_no.strip().upper() if serial_no is not None else None
    client_cert, rsa_public_key = settings["client_cert"], settings["apiv2_rsa_public_key"]
    return Credentials(
        mchid=str(mchid).strip(),
        merchant_serial_no=serial,
        private_key=key,
        wechatpay_public_key=load_public_key(public_key) if public_key is not None else None,
        wechatpay_public_key_id=public_key_id,
        platform_certificates=tuple(load_certificates(certificates, "platform_certificates")) if certificates else (),
        apiv3_key=_apiv3_key(apiv3_key, short_apiv3_key) if apiv3_key is not None else None,
        apiv2_key=_apiv2_key(apiv2_key) if apiv2_key is not None else None,
        apiv2_rsa_public_key=(
            load_public_key(rsa_public_key, "apiv2_rsa_public_key") if rsa_public_key is not None else None
        ),
        client_certificate=_client_certificate(client_cert, key, serial) if client_cert is not None else None,
    )


def _client_certificate(value: KeySource, key: RSAPrivateKey | None, serial: str | None) -> ClientCertificate:
    certificates = load_certificates(value, "client_cert")
    if len(certificates) != 1:
        raise ConfigurationError(f"client_cert: expected one certificate (apiclient_cert.pem), got {len(certificates)}")
    certificate = certificates[0]
    if key is None:
        raise ConfigurationError("client_cert: needs private_key (apiclient_key.pem) for the TLS handshake")
    public_key = certificate.public_key()
    assert isinstance(public_key, RSAPublicKey)  # checked by load_certificates
    if not _same_key(key, public_key):
        raise ConfigurationError("private_key: does not match the public key of client_cert (apiclient_cert.pem)")
    if serial is not None and normalize_serial(serial) != certificate_serial(certificate):
        raise ConfigurationError(
            f"merchant_serial_no: {serial} is not the serial of client_cert ({certificate_serial(certificate)})"
        )
    return ClientCertificate(certificate, key)
