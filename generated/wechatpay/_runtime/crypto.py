"""The protocol's primitives, all from `cryptography`: SHA256withRSA, RSA-OAEP, AES-GCM, AES-ECB."""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecryptionError
from .secret import Secret

# WeChat Pay fixed OAEP to SHA-1 for both the digest and MGF1.
_OAEP = asym_padding.OAEP(mgf=asym_padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)


def rsa_sign(key: RSAPrivateKey, message: bytes) -> str:
    """SHA256withRSA (PKCS#1 v1.5), base64."""
    return base64.b64encode(key.sign(message, asym_padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def rsa_verify(key: RSAPublicKey, message: bytes, signature_b64: str) -> bool:
    """True when `signature_b64` is a valid SHA256withRSA signature of `message`; never raises."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        key.verify(signature, message, asym_padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def rsa_encrypt(key: RSAPublicKey, plaintext: str) -> str:
    """A sensitive field for the service: RSA-OAEP (SHA-1), base64."""
    return base64.b64encode(key.encrypt(plaintext.encode("utf-8"), _OAEP)).decode("ascii")


def rsa_decrypt(key: RSAPrivateKey, ciphertext_b64: str) -> str:
    """A sensitive field from the service, encrypted to the merchant key."""
    try:
        return key.decrypt(base64.b64decode(ciphertext_b64, validate=True), _OAEP).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise DecryptionError("RSA-OAEP decryption failed: wrong key or corrupted ciphertext") from exc


def aes_gcm_decrypt(key: Secret[bytes], nonce: str, associated_data: str, ciphertext_b64: str) -> bytes:
    """AEAD_AES_256_GCM as used by notifications and certificates (the tag is the last 16 bytes)."""
    try:
        data = base64.b64decode(ciphertext_b64, validate=True)
        return AESGCM(key.reveal()).decrypt(nonce.encode("utf-8"), data, associated_data.encode("utf-8"))
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError("AES-GCM decryption failed: wrong APIv3 key or tampered resource") from exc


def aes_ecb_decrypt(key: Secret[bytes], ciphertext_b64: str) -> bytes:
    """AES-256-ECB with PKCS#7 padding: the APIv2 refund notification's `req_info`."""
    try:
        data = base64.b64decode(ciphertext_b64, validate=True)
        decryptor = Cipher(algorithms.AES(key.reveal()), modes.ECB()).decryptor()  # noqa: S305 - the protocol's choice
        padded = decryptor.update(data) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("AES-ECB decryption failed: wrong APIv2 key or corrupted req_info") from exc
