"""Tokens (HS256 JWT, py-ISPyB claims) and the current user of a request."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from .errors import Forbidden, Unauthorized

ALL_PROPOSALS = "all_proposals"
MANAGE_PROPOSALS = "manage_proposals"


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


class TokenIssuer:
    algorithm = "HS256"

    def __init__(self, secret: str, minutes: int) -> None:
        self._secret = secret
        self._seconds = minutes * 60

    def issue(
        self,
        login: str,
        permissions: tuple[str, ...],
        groups: tuple[str, ...],
        person_id: int | None,
    ) -> str:
        now = int(time.time())
        claims = {
            "login": login,
            "personId": person_id,
            "permissions": list(permissions),
            "groups": list(groups),
            "iat": now,
            "exp": now + self._seconds,
        }
        return jwt.encode(claims, self._secret, algorithm=self.algorithm)

    def verify(self, token: str) -> CurrentUser:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[self.algorithm], options={"require": ["exp"]}
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthorized("Token expired. Please log in again", "Authorization") from error
        except jwt.InvalidTokenError as error:
            raise Unauthorized("Invalid token", "Authorization") from error
        return CurrentUser(
            login=str(claims.get("login", "")),
            permissions=frozenset(claims.get("permissions", [])),
            groups=tuple(claims.get("groups", [])),
        )
