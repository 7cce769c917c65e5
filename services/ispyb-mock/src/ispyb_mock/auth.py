"""Tokens (HS256 JWT with py-ISPyB's claims), refresh tokens, and the current user."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from .errors import Forbidden, Unauthorized

ALL_PROPOSALS = "all_proposals"
MANAGE_PROPOSALS = "manage_proposals"
UPORTAL_SYNC = "uportal_sync"

_REFRESH = "refresh"


@dataclass(frozen=True)
class CurrentUser:
    login: str
    permissions: frozenset[str]
    groups: tuple[str, ...]

    @property
    def sees_all(self) -> bool:
        return ALL_PROPOSALS in self.permissions

    def require(self, *permissions: str) -> None:
        missing = [permission for permission in permissions if permission not in self.permissions]
        if missing:
            raise Forbidden(f"Not Authorized: needs permission {', '.join(missing)}")


@dataclass(frozen=True)
class Identity:
    """Who logged in, and what their tokens carry."""

    login: str
    permissions: tuple[str, ...]
    groups: tuple[str, ...]


class TokenIssuer:
    """Access tokens (py-ISPyB's claims) and the refresh tokens MXCuBE's client expects."""

    algorithm = "HS256"

    def __init__(self, secret: str, minutes: int, refresh_minutes: int) -> None:
        self._secret = secret
        self.access_seconds = minutes * 60
        self._refresh_seconds = refresh_minutes * 60

    def _encode(self, claims: dict[str, Any], seconds: int) -> str:
        now = int(time.time())
        return jwt.encode(
            claims | {"iat": now, "exp": now + seconds}, self._secret, algorithm=self.algorithm
        )

    def issue(self, identity: Identity, person_id: int | None) -> str:
        claims = {
            "login": identity.login,
            "personId": person_id,
            "permissions": list(identity.permissions),
            "groups": list(identity.groups),
        }
        return self._encode(claims, self.access_seconds)

    def issue_refresh(self, identity: Identity) -> str:
        claims = {
            "typ": _REFRESH,
            "jti": uuid.uuid4().hex,
            "login": identity.login,
            "permissions": list(identity.permissions),
            "groups": list(identity.groups),
        }
        return self._encode(claims, self._refresh_seconds)

    def _decode(self, token: str, field: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self._secret, algorithms=[self.algorithm], options={"require": ["exp"]}
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthorized("Token expired. Please log in again", field) from error
        except jwt.InvalidTokenError as error:
            raise Unauthorized("Invalid token", field) from error
        return claims

    def verify(self, token: str) -> CurrentUser:
        claims = self._decode(token, "Authorization")
        if claims.get("typ") == _REFRESH:
            raise Unauthorized("Invalid token", "Authorization")
        return CurrentUser(
            login=str(claims.get("login", "")),
            permissions=frozenset(claims.get("permissions", [])),
            groups=tuple(claims.get("groups", [])),
        )

    def verify_refresh(self, token: str) -> Identity:
        claims = self._decode(token, "refreshToken")
        if claims.get("typ") != _REFRESH:
            raise Unauthorized("Invalid token", "refreshToken")
        return Identity(
            login=str(claims.get("login", "")),
            permissions=tuple(claims.get("permissions", [])),
            groups=tuple(claims.get("groups", [])),
        )
