"""What each login strategy does to the user records before a token is issued.

Local: check the password, refresh the identity's groups (static + roles). LDAP and
OIDC: find or create the user from the directory entry / ID token and store the
identity with the groups the providers give. Every login then ensures default settings.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import psycopg

from ..errors import internal_error, login_failed
from ..store import Doc
from .groups import AccessGroups
from .passwords import verify_password
from .store import (
    create_user,
    ensure_settings,
    find_user,
    identity_of,
    public_user,
    roles_of,
    save_identity,
    update_user,
)

NO_PHOTO = "error: no photo found"


def local_login(
    conn: psycopg.Connection, username: Any, password: Any, groups: AccessGroups
) -> Doc:
    """passport-local: missing credentials and wrong passwords are the same 401."""
    if not username or not password or not isinstance(password, str):
        raise login_failed()
    user = find_user(conn, [("username", username)])
    if not verify_password(password, (user or {}).get("password")) or user is None:
        raise login_failed()
    identity = identity_of(conn, user["_id"])
    if identity is not None:
        profile = dict(identity.get("profile") or {})
        profile["accessGroups"] = [*groups.for_login(), *roles_of(conn, user["_id"])]
        save_identity(conn, user["_id"], {"profile": profile})
    ensure_settings(conn, user["_id"])
    return public_user(user)


def _photo(raw: Any) -> str:
    if isinstance(raw, bytes):
        return "data:image/jpeg;base64," + base64.b64encode(raw).decode()
    if isinstance(raw, str) and raw:
        return (
            "data:image/jpeg;base64," + base64.b64encode(raw.encode("latin-1", "replace")).decode()
        )
    return NO_PHOTO


def ldap_login(
    conn: psycopg.Connection, entry: Mapping[str, Any], username_attr: str, groups: AccessGroups
) -> Doc:
    """Upstream's LDAP strategy ``validate`` for the bound user's directory entry."""
    username = entry.get(username_attr)
    if username_attr not in entry:
        raise internal_error(f"usernameAttr incorrectly configured: {username_attr}")
    mail = entry.get("mail")
    conditions: list[tuple[str, Any]] = [
        ("username", f"ldap.{username}"),
        ("username", username),
        ("email", mail),
    ]
    user = find_user(conn, conditions)
    access = groups.for_login(entry)
    if user is None:
        created = create_user(conn, str(username), mail, "ldap")
        external_id = entry.get("sAMAccountName")
        profile = {
            "displayName": username,
            "email": mail,
            "username": username,
            "thumbnailPhoto": _photo(entry.get("thumbnailPhoto")),
            "emails": [{"value": mail}],
            "accessGroups": access,
            "id": external_id,
        }
        save_identity(
            conn,
            created["_id"],
            {
                "authStrategy": "ldap",
                "credentials": {},
                "externalId": external_id,
                "profile": profile,
                "provider": "ldap",
            },
        )
        user = find_user(conn, conditions) or created
    else:
        identity = identity_of(conn, user["_id"])
        if identity is None:
            raise internal_error("User identity does not exists!!!")
        profile = dict(identity.get("profile") or {})
        profile["accessGroups"] = access
        save_identity(conn, user["_id"], {"profile": profile})
    ensure_settings(conn, user["_id"])
    return {**public_user(user), "userId": user["_id"]}


def oidc_login(
    conn: psycopg.Connection,
    profile: dict[str, Any],
    query: list[tuple[str, Any]],
    operator: str,
) -> Doc:
    """Upstream's OIDC ``validate``: the user found by ``query`` is updated, or created."""
    user = find_user(conn, query, operator)
    identity_fields = {
        "profile": profile,
        "externalId": profile.get("id"),
        "provider": profile.get("provider") or "oidc",
    }
    if user is None:
        user = create_user(conn, profile.get("username") or "", profile.get("email"), "oidc")
        save_identity(
            conn, user["_id"], {"authStrategy": "oidc", "credentials": {}, **identity_fields}
        )
    else:
        # The token carries the record as found, before this update (as upstream).
        update_user(conn, user["_id"], {"username": profile.get("username") or ""})
        save_identity(conn, user["_id"], identity_fields)
    ensure_settings(conn, user["_id"])
    return {**public_user(user), "userId": user["_id"]}
