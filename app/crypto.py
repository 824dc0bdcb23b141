"""Encryption of secrets at rest (provider credentials) with Fernet.

The key is PARLEY_ENCRYPTION_KEY (a Fernet key) when set, otherwise derived from SECRET_KEY
with HKDF, so a deployment only has one secret to keep unless it wants two.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_state = {"fernet": None, "generation": 0}


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the configured key."""


def configure(secret_key, encryption_key=None):
    if encryption_key:
        key = encryption_key.encode()
    else:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"parley-secrets-at-rest", info=b"fernet").derive(
            secret_key.encode()
        )
        key = base64.urlsafe_b64encode(derived)
    _state["fernet"] = Fernet(key)
    _state["generation"] += 1


def generation():
    """Moves at every `configure`: what was decrypted with an earlier key is not reused."""
    return _state["generation"]


def _fernet():
    if _state["fernet"] is None:
        raise RuntimeError("encryption is not configured: call create_app() first")
    return _state["fernet"]


def encrypt(plaintext):
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("stored secret cannot be decrypted: was PARLEY_ENCRYPTION_KEY or SECRET_KEY changed?") from None
