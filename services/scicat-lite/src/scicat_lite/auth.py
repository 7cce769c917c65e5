"""The caller (upstream's ``JWTUser``) and the HS256 tokens that carry it."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import jwt

from .errors import session_expired
from .timeutil import now_iso


@dataclass(frozen=True)
class User:
    """An authenticated caller: the token's user plus the groups looked up for it."""

    id: str
    username: str
    email: str
    groups: tuple[str, ...]
    auth_strategy: str = "local"

    def public(self) -> dict[str, Any]:
        """``/auth/whoami``: the JWTUser upstream's JWT strategy builds."""
        return {
            "_id": self.id,
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "currentGroups": list(self.groups),
            "authStrategy": self.auth_strategy,
        }


_DURATION = re.compile(r"^(?P<n>-?\d*\.?\d+) *(?P<unit>[a-z]*)$", re.IGNORECASE)
_UNITS = {
    **dict.fromkeys(("", "ms", "msec", "msecs", "millisecond", "milliseconds"), 0.001),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "week", "weeks"), 604800),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), 31557600),
}


def duration_seconds(value: str | float) -> int:
    """A jsonwebtoken ``expiresIn``: seconds as a number, or an ``ms`` timespan such as ``2d``.

    As in the ``ms`` package a bare numeric string means milliseconds.
    """
    if isinstance(value, (int, float)):
        return int(value)
    match = _DURATION.match(value.strip())
    factor = _UNITS.get(match["unit"].lower()) if match else None
    if match is None or factor is None:
        raise ValueError(
            '"expiresIn" should be a number of seconds or string representing a timespan'
        )
    return int(float(match["n"]) * factor)


class TokenService:
    """Issues and checks HS256 JWTs as upstream's JwtService does."""

    def __init__(self, secret: str, expires_in: int) -> None:
        self._secret = secret
        self.expires_in = expires_in
        # Checked tokens by their exact text: clients send the same token many times.
        self._checked: dict[str, dict[str, Any]] = {}

    def sign(self, payload: dict[str, Any], expires_in: int | None = None) -> str:
        now = int(time.time())
        lifetime = self.expires_in if expires_in is None else expires_in
        claims = {**payload, "iat": now, "exp": now + lifetime}
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def payload(self, token: str) -> dict[str, Any] | None:
        """The token's claims; None for an invalid token; 401 ``SESSION_EXPIRED`` when expired."""
        claims = self._checked.get(token)
        if claims is not None:
            if claims["exp"] > time.time():
                return claims
            self._checked.pop(token, None)
        claims = self._decode(token)
        if claims is not None and isinstance(claims.get("exp"), (int, float)):
            if len(self._checked) > 10_000:
                self._checked.clear()
            self._checked[token] = claims
        return claims

    def _decode(self, token: str) -> dict[str, Any] | None:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self._secret, algorithms=["HS256"], options={"require": ["exp"]}
            )
        except jwt.ExpiredSignatureError as error:
            raise session_expired() from error
        except jwt.PyJWTError:
            return None
        return claims

    def login_response(self, user_doc: dict[str, Any]) -> dict[str, Any]:
        """``ReturnedAuthLoginDto``: the token signs the user document (password excluded)."""
        token = self.sign(user_doc)
        return {
            "access_token": token,
            "id": token,
            "expires_in": self.expires_in,
            "ttl": self.expires_in,
            "created": now_iso(),
            "userId": user_doc["_id"],
            "user": user_doc,
        }
