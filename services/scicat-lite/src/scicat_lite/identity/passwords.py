"""Salted scrypt password hashes (upstream uses bcrypt; only the hash is ever stored)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_DUMMY = (
    "scrypt$" + base64.b64encode(b"0" * 16).decode() + "$" + base64.b64encode(b"0" * 32).decode()
)


def _digest(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    return "$".join(
        (
            "scrypt",
            base64.b64encode(salt).decode(),
            base64.b64encode(_digest(password, salt)).decode(),
        )
    )


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches; costs the same when there is no stored hash."""
    scheme, _, rest = (stored or _DUMMY).partition("$")
    salt_text, _, digest_text = rest.partition("$")
    try:
        salt, digest = base64.b64decode(salt_text), base64.b64decode(digest_text)
    except ValueError:
        return False
    matches = hmac.compare_digest(_digest(password, salt), digest)
    return matches and scheme == "scrypt" and stored is not None
