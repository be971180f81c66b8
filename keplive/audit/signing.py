"""The key that signs the audit log's checkpoints (Ed25519), and checking signatures.

``KEPLIVE_AUDIT_SIGNING_KEY`` is the base64 of a 32-byte Ed25519 private key (seed); generate
one with ``manage.py audit_signing_key``. Without it (development, tests) the key is derived
from ``SECRET_KEY``; the production start-up check refuses that. A signature names its key by
``key_id`` (the first 16 hex digits of SHA-256 of the public key), so keys can be rotated:
public keys of earlier signing keys go into ``KEPLIVE_AUDIT_VERIFY_KEYS`` (comma-separated
base64), and their checkpoints keep verifying.

Ed25519 rather than an HMAC: checking a checkpoint needs only the public key, so anyone given
it (an auditor, another ministry) can verify the log without being able to sign for it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_DEVELOPMENT_SALT = b"keplive.audit.checkpoint-signing-key"


def _decode_key(text: str, *, name: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured(f"{name} must be base64 of 32 bytes.") from error
    if len(raw) != 32:
        raise ImproperlyConfigured(f"{name} must be base64 of 32 bytes.")
    return raw


def uses_development_key() -> bool:
    return not settings.KEPLIVE_AUDIT_SIGNING_KEY


def signing_key() -> Ed25519PrivateKey:
    """The configured key, or in development one derived from ``SECRET_KEY``."""
    configured = settings.KEPLIVE_AUDIT_SIGNING_KEY
    if configured:
        seed = _decode_key(configured, name="KEPLIVE_AUDIT_SIGNING_KEY")
    else:
        seed = hmac.new(settings.SECRET_KEY.encode(), _DEVELOPMENT_SALT, hashlib.sha256).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


def verify_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key a checkpoint may be signed with, by key id."""
    keys = [signing_key().public_key()]
    for text in settings.KEPLIVE_AUDIT_VERIFY_KEYS:
        raw = _decode_key(text, name="KEPLIVE_AUDIT_VERIFY_KEYS")
        keys.append(Ed25519PublicKey.from_public_bytes(raw))
    return {key_id(key): key for key in keys}


def sign(message: bytes) -> tuple[str, str]:
    """``(key_id, base64 signature)`` of ``message`` with the signing key."""
    key = signing_key()
    return key_id(key.public_key()), base64.b64encode(key.sign(message)).decode("ascii")


def signature_is_valid(
    message: bytes, *, signed_by: str, signature: str, keys: dict[str, Ed25519PublicKey]
) -> bool:
    key = keys.get(signed_by)
    if key is None:
        return False
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def new_signing_key() -> str:
    """A fresh key for ``KEPLIVE_AUDIT_SIGNING_KEY`` (base64)."""
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    return base64.b64encode(seed).decode("ascii")
