"""Functional accounts: the backend's ``functionalAccounts.json``, stored as users at start-up.

As upstream, an existing user (same username or email) is kept as it is, password
included; its identity and roles are brought up to date with the file.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import psycopg
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .groups import AccessGroups
from .passwords import hash_password
from .store import add_roles, create_user, find_user, save_identity

log = logging.getLogger(__name__)

GLOBAL_ACCESS_GROUP = "globalaccess"
_SYNC_LOCK = 7_171_718


class AccountsFileError(ValueError):
    """The functional accounts file cannot be read; the message names the file and the entry."""


class FunctionalAccount(BaseModel):
    """One entry of the backend's ``functionalAccounts.json``."""

    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1)
    email: str | None = None
    password: str = ""
    role: str | list[str] = Field(default_factory=list)
    global_: bool = Field(default=False, alias="global")

    @property
    def roles(self) -> list[str]:
        roles = [self.role] if isinstance(self.role, str) else self.role
        return [role for role in roles if role]


def read_accounts(path: str | Path) -> list[FunctionalAccount]:
    """The accounts file; a missing file means no local accounts, as upstream."""
    file = Path(path)
    if not file.is_file():
        return []
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
        return TypeAdapter(list[FunctionalAccount]).validate_python(raw)
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


def sync_accounts(
    conn: psycopg.Connection, accounts: list[FunctionalAccount], groups: AccessGroups
) -> None:
    """Create missing users; refresh every account's identity and roles."""
    # Several workers may start at once; one of them creates the users.
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SYNC_LOCK,))
    for account in accounts:
        conditions: list[tuple[str, object]] = [("username", account.username)]
        if account.email:
            conditions.append(("email", account.email))
        user = find_user(conn, conditions)
        if user is None:
            if not account.password:
                log.warning("functional account %s has no password: skipped", account.username)
                continue
            user = create_user(
                conn, account.username, account.email, "local", hash_password(account.password)
            )
        roles = account.roles + ([GLOBAL_ACCESS_GROUP] if account.global_ else [])
        access = list(dict.fromkeys([*account.roles, *groups.for_login(), *roles]))
        email = account.email or ""
        profile = {
            "displayName": account.username,
            "email": email,
            "username": account.username,
            "thumbnailPhoto": "error: no photo found",
            "emails": [{"value": email}],
            "accessGroups": access,
            "id": user["_id"],
        }
        save_identity(
            conn,
            user["_id"],
            {
                "authStrategy": "local",
                "credentials": {},
                "externalId": "",
                "profile": profile,
                "provider": "local",
            },
        )
        add_roles(conn, user["_id"], roles)
