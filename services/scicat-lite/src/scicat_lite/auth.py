"""Functional accounts, password hashing and JWT handling."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .errors import login_failed, session_expired
from .timeutil import now_iso

GLOBAL_ACCESS_GROUP = "globalaccess"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
_ACCOUNT_NAMESPACE = uuid.UUID("8f0c1f6e-6a43-4c55-9d55-5c1c3b1c2f10")


class AccountsFileError(ValueError):
    """The functional accounts file cannot be read; the message names the file and the entry."""


class FunctionalAccount(BaseModel):
    """One entry of the backend's ``functionalAccounts.json``."""

    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1)
    email: str = ""
    password: str
    role: str | list[str] = Field(default_factory=list)
    global_: bool = Field(default=False, alias="global")


@dataclass(frozen=True)
class User:
    """An authenticated caller, as the backend's ``JWTUser``."""

    id: str
    username: str
    email: str
    groups: tuple[str, ...]
    auth_strategy: str = "local"

    def public(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "id": self.id,
            "username": self.username,
            "email": self.email,
            "currentGroups": list(self.groups),
            "authStrategy": self.auth_strategy,
        }


@dataclass(frozen=True)
class _StoredAccount:
    user: User
    salt: bytes
    digest: bytes


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)


def _groups(account: FunctionalAccount) -> tuple[str, ...]:
    roles = [account.role] if isinstance(account.role, str) else account.role
    groups = [r.strip() for r in roles if r.strip()]
    if account.global_:
        groups.append(GLOBAL_ACCESS_GROUP)
    return tuple(dict.fromkeys(groups))


class AccountStore:
    """The functional accounts, with passwords kept only as salted scrypt hashes."""

    def __init__(self, accounts: list[FunctionalAccount]) -> None:
        self._accounts: dict[str, _StoredAccount] = {}
        for account in accounts:
            salt = os.urandom(16)
            user = User(
                id=str(uuid.uuid5(_ACCOUNT_NAMESPACE, account.username)),
                username=account.username,
                email=account.email,
                groups=_groups(account),
            )
            self._accounts[account.username] = _StoredAccount(
                user, salt, _hash(account.password, salt)
            )
            account.password = ""

    @classmethod
    def from_file(cls, path: str | Path) -> AccountStore:
        """Read the accounts file; a missing file means no local accounts, as upstream."""
        file = Path(path)
        if not file.is_file():
            return cls([])
        try:
            raw = json.loads(file.read_text(encoding="utf-8"))
            return cls(TypeAdapter(list[FunctionalAccount]).validate_python(raw))
        except (OSError, UnicodeDecodeError) as error:
            raise AccountsFileError(f"{file}: cannot be read: {error}") from error
        except json.JSONDecodeError as error:
            raise AccountsFileError(f"{file}: not valid JSON: {error}") from error
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(top level)"
            raise AccountsFileError(
                f"{file}: {where}: {first['msg']} (expected a list of "
                "{username, email, password, role, global})"
            ) from error

    def authenticate(self, username: str, password: str) -> User:
        stored = self._accounts.get(username)
        if stored is None:
            _hash(password, b"0" * 16)  # same cost whether or not the user exists
            raise login_failed()
        if not hmac.compare_digest(_hash(password, stored.salt), stored.digest):
            raise login_failed()
        return stored.user

    def get(self, username: str) -> User | None:
        stored = self._accounts.get(username)
        return stored.user if stored else None


class TokenService:
    """Issues and checks HS256 JWTs."""

    def __init__(self, secret: str, expires_in: int) -> None:
        self._secret = secret
        self.expires_in = expires_in

    def issue(self, user: User) -> str:
        now = int(time.time())
        payload = {
            "_id": user.id,
            "username": user.username,
            "email": user.email,
            "authStrategy": user.auth_strategy,
            "iat": now,
            "exp": now + self.expires_in,
        }
        return jwt.encode(payload, self._secret, algorithm="HS256")

    def username(self, token: str) -> str | None:
        """The token's user name; None for an invalid token; 401 for an expired one."""
        try:
            payload = jwt.decode(
                token, self._secret, algorithms=["HS256"], options={"require": ["exp"]}
            )
        except jwt.ExpiredSignatureError as error:
            raise session_expired() from error
        except jwt.PyJWTError:
            return None
        username = payload.get("username")
        return username if isinstance(username, str) else None

    def login_response(self, user: User) -> dict[str, Any]:
        token = self.issue(user)
        return {
            "access_token": token,
            "id": token,
            "expires_in": self.expires_in,
            "ttl": self.expires_in,
            "created": now_iso(),
            "userId": user.id,
            "user": user.public(),
        }
