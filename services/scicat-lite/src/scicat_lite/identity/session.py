"""The login session of the OIDC flow: a signed, short-lived cookie.

Upstream keeps ``client``, ``returnUrl``, ``successUrl`` and the OIDC ``state`` in an
express-session signed with ``EXPRESS_SESSION_SECRET``; here the same data travels in
the cookie itself, signed (HMAC-SHA256) with that secret, so any replica can finish a
login another one started.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

COOKIE = "scicat-lite.oidc"
LIFETIME = 600


class SessionCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("scicat-lite-oidc:" + secret).encode()).digest()

    def _mac(self, body: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._key, body, hashlib.sha256).digest()).decode()

    def encode(self, data: dict[str, Any]) -> str:
        body = base64.urlsafe_b64encode(
            json.dumps({**data, "exp": int(time.time()) + LIFETIME}).encode()
        )
        return f"{body.decode()}.{self._mac(body)}"

    def decode(self, value: str | None) -> dict[str, Any] | None:
        """The session, or None when absent, tampered with or expired."""
        if not value or "." not in value:
            return None
        body, _, mac = value.partition(".")
        if not hmac.compare_digest(mac, self._mac(body.encode())):
            return None
        try:
            data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body.encode()))
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("exp", 0) < time.time():
            return None
        return data
