"""Users, user identities, roles and user settings in PostgreSQL.

Documents keep upstream's shapes: ``User`` ``{_id, username, email, authStrategy, …}``
(the password hash never leaves this module), ``UserIdentity`` ``{userId, provider,
authStrategy, externalId, credentials, profile, created, modified}`` and ``UserSetting``
``{userId, datasetCount, jobCount, externalSettings}``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from typing import Any

import psycopg

from ..filters import Sql
from ..store import Collection, Doc
from ..timeutil import now_iso
from .ids import object_id

USERS = Collection("users")
IDENTITIES = Collection("user_identities")
SETTINGS = Collection("user_settings")

DEFAULT_DATASET_COUNT = 25
DEFAULT_JOB_COUNT = 25


def public_user(doc: Doc) -> Doc:
    """The user as upstream serialises it: no password, ``id`` beside ``_id``."""
    out = {k: v for k, v in doc.items() if k != "password"}
    out["id"] = doc["_id"]
    return out


# The fields of upstream's User schema a lookup may name (OIDC_USERQUERY_FILTER included).
USER_FIELDS = frozenset({"_id", "username", "email", "authStrategy", "realm", "emailVerified"})


def find_user(
    conn: psycopg.Connection, conditions: Iterable[tuple[str, Any]], operator: str = "OR"
) -> Doc | None:
    """The first user matching ``field = value`` conditions joined by ``operator``.

    A None value matches a missing field, as MongoDB matches ``{field: null}``.
    """
    parts = []
    for field, value in conditions:
        if field not in USER_FIELDS:
            raise ValueError(f"unknown user field {field}")
        column = "id" if field == "_id" else f"doc->>'{field}'"
        if value is None:
            parts.append(Sql(f"{column} IS NULL"))
        else:
            text = value if isinstance(value, str) else json.dumps(value)
            parts.append(Sql(f"{column} = %s", (text,)))
    if not parts:
        return None
    found = USERS.find(conn, Sql.join(parts, operator, "FALSE"), limit=1)
    return found[0] if found else None


def user_by_id(conn: psycopg.Connection, user_id: str) -> Doc | None:
    return USERS.get(conn, user_id)


def all_users(conn: psycopg.Connection) -> list[Doc]:
    return USERS.find(conn, Sql("TRUE"))


def create_user(
    conn: psycopg.Connection,
    username: str,
    email: str | None,
    auth_strategy: str,
    password_hash: str | None = None,
) -> Doc:
    doc: Doc = {"_id": object_id(), "username": username, "authStrategy": auth_strategy}
    if email is not None:
        doc["email"] = email
    if password_hash is not None:
        doc["password"] = password_hash
    return USERS.insert(conn, doc)


def update_user(conn: psycopg.Connection, user_id: str, changes: Doc) -> Doc | None:
    doc = USERS.get(conn, user_id, lock=True)
    if doc is None:
        return None
    doc.update(changes)
    return USERS.replace(conn, doc)


# -- identities -----------------------------------------------------------------------


def identity_of(conn: psycopg.Connection, user_id: str) -> Doc | None:
    found = IDENTITIES.find(conn, Sql("doc->>'userId' = %s", (user_id,)), limit=1)
    return found[0] if found else None


def find_identity(conn: psycopg.Connection, where: Sql) -> Doc | None:
    found = IDENTITIES.find(conn, where, limit=1)
    return found[0] if found else None


def save_identity(conn: psycopg.Connection, user_id: str, fields: Doc) -> Doc:
    """Create the user's identity, or ``$set`` ``fields`` on the existing one."""
    now = now_iso()
    current = identity_of(conn, user_id)
    if current is None:
        _id = object_id()
        doc = {"_id": _id, "id": _id, **fields, "userId": user_id, "created": now, "modified": now}
        return IDENTITIES.insert(conn, doc)
    current.update(fields)
    current["modified"] = now
    return IDENTITIES.replace(conn, current)


# -- roles and the groups of a token ----------------------------------------------------


def add_roles(conn: psycopg.Connection, user_id: str, roles: Iterable[str]) -> None:
    for role in roles:
        conn.execute(
            "INSERT INTO user_roles (user_id, role) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (user_id, role),
        )


def roles_of(conn: psycopg.Connection, user_id: str) -> list[str]:
    rows = conn.execute(
        "SELECT role FROM user_roles WHERE user_id = %s ORDER BY role", (user_id,)
    ).fetchall()
    return [row["role"] for row in rows]


def token_groups(conn: psycopg.Connection, user_id: str) -> tuple[str, ...]:
    """Upstream's JWT strategy: role names, then the identity's ``profile.accessGroups``."""
    identity = identity_of(conn, user_id)
    profile_groups = ((identity or {}).get("profile") or {}).get("accessGroups") or []
    groups = roles_of(conn, user_id) + [g for g in profile_groups if isinstance(g, str)]
    return tuple(dict.fromkeys(groups))


class GroupCache:
    """Groups per user id for a few seconds, so a request costs no lookup.

    Logins in this process invalidate their user at once; other worker processes
    see a change within ``ttl`` seconds.
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self._ttl = ttl
        self._entries: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str) -> tuple[str, ...] | None:
        entry = self._entries.get(user_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, user_id: str, groups: tuple[str, ...]) -> None:
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[user_id] = (time.monotonic() + self._ttl, groups)

    def invalidate(self, user_id: str) -> None:
        with self._lock:
            self._entries.pop(user_id, None)


# -- settings -------------------------------------------------------------------------


def settings_of(conn: psycopg.Connection, user_id: str) -> Doc | None:
    found = SETTINGS.find(conn, Sql("doc->>'userId' = %s", (user_id,)), limit=1)
    return found[0] if found else None


def create_settings(conn: psycopg.Connection, user_id: str, fields: Doc) -> Doc:
    _id = object_id()
    doc = {
        "_id": _id,
        "id": _id,
        "datasetCount": DEFAULT_DATASET_COUNT,
        "jobCount": DEFAULT_JOB_COUNT,
        "externalSettings": {},
        **fields,
        "userId": user_id,
    }
    return SETTINGS.insert(conn, doc)


def ensure_settings(conn: psycopg.Connection, user_id: str) -> None:
    """Upstream's post-login task: default settings for a user who has none."""
    if settings_of(conn, user_id) is None:
        create_settings(conn, user_id, {"externalSettings": {}})


def set_settings(
    conn: psycopg.Connection, user_id: str, fields: Doc, *, upsert: bool
) -> Doc | None:
    """``$set`` top-level fields; with ``upsert`` a missing record is created with defaults."""
    current = settings_of(conn, user_id)
    if current is None:
        return create_settings(conn, user_id, fields) if upsert else None
    current.update(fields)
    return SETTINGS.replace(conn, current)


def set_external_settings(conn: psycopg.Connection, user_id: str, values: Doc) -> Doc | None:
    """``$set externalSettings.<key>`` for each key; nothing is created."""
    current = settings_of(conn, user_id)
    if current is None:
        return None
    external = dict(current.get("externalSettings") or {})
    external.update(values)
    current["externalSettings"] = external
    return SETTINGS.replace(conn, current)


def delete_settings(conn: psycopg.Connection, user_id: str) -> Doc | None:
    current = settings_of(conn, user_id)
    if current is None:
        return None
    return SETTINGS.delete(conn, current["_id"])


def lean_settings(doc: Doc | None) -> Doc | None:
    """``findOne().lean()``: the stored fields without the ``id`` virtual."""
    return None if doc is None else {k: v for k, v in doc.items() if k != "id"}
