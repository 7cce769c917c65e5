"""``/auth/ldap``: check a user's password against an LDAP server, as passport-ldapauth does.

The sequence is ldapauth-fork's: bind with ``LDAP_BIND_DN`` (empty = anonymous), search
``LDAP_SEARCH_BASE`` with ``LDAP_SEARCH_FILTER`` (``{{username}}`` replaced, escaped),
require exactly one entry, bind as that entry's DN with the given password, then, when
``LDAP_GROUP_SEARCH_BASE`` and ``LDAP_GROUP_SEARCH_FILTER`` are set, search the groups
(``{{dn}}`` = the user's DN, ``{{username}}`` = its ``uid``) into the entry's ``_groups``.
Entries are returned as ldapjs presents them: ``dn`` plus one key per attribute, a string
when single-valued and a list otherwise.
"""

from __future__ import annotations

import logging
from typing import Any

from ldap3 import ALL_ATTRIBUTES, NONE, SUBTREE, Connection, Server  # type: ignore[import-untyped]
from ldap3.core.exceptions import LDAPBindError, LDAPException, LDAPInvalidCredentialsResult  # type: ignore[import-untyped]
from ldap3.utils.conv import escape_filter_chars  # type: ignore[import-untyped]

from ..auth_settings import LdapSettings
from .failures import LdapMisconfigured, LdapRejected, LdapUnavailable

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5
RECEIVE_TIMEOUT = 10


def _entry_object(dn: str, raw: dict[str, list[bytes]]) -> dict[str, Any]:
    """ldapjs's ``entry.object``: values decoded as UTF-8, single values unwrapped."""
    obj: dict[str, Any] = {"dn": dn, "controls": []}
    for name, values in raw.items():
        if name == "thumbnailPhoto":  # binary: kept as bytes for the data URL
            obj[name] = values[0] if len(values) == 1 else list(values)
            continue
        decoded = [v.decode("utf-8", "replace") for v in values]
        obj[name] = decoded[0] if len(decoded) == 1 else decoded
    return obj


class LdapAuthenticator:
    def __init__(self, settings: LdapSettings) -> None:
        self._settings = settings

    def _server(self) -> Server:
        return Server(self._settings.url, connect_timeout=CONNECT_TIMEOUT, get_info=NONE)

    def _search(self, conn: Connection, base: str, search_filter: str) -> list[dict[str, Any]]:
        conn.search(base, search_filter, search_scope=SUBTREE, attributes=ALL_ATTRIBUTES)
        return [
            _entry_object(e["dn"], e.get("raw_attributes", {}))
            for e in conn.response or []
            if e.get("type") == "searchResEntry"
        ]

    def authenticate(self, username: str, password: str) -> dict[str, Any]:
        """The user's entry (with ``_groups`` when configured) once the password checks out."""
        settings = self._settings
        try:
            admin = Connection(
                self._server(),
                user=settings.bind_dn or None,
                password=settings.bind_credentials or None,
                receive_timeout=RECEIVE_TIMEOUT,
                raise_exceptions=False,
            )
            if not admin.bind():
                raise LdapUnavailable(
                    f"LDAP service bind failed: {admin.result.get('description')}"
                )
            try:
                search_filter = settings.search_filter.replace(
                    "{{username}}", escape_filter_chars(username)
                )
                users = self._search(admin, settings.search_base, search_filter)
                if not users:
                    raise LdapRejected(f'no such user: "{username}"')
                if len(users) > 1:
                    raise LdapMisconfigured(
                        f'unexpected number of matches ({len(users)}) for "{username}" username'
                    )
                user = users[0]
                self._bind_as(user["dn"], password)
                if settings.group_search_base and settings.group_search_filter:
                    uid = user.get("uid")
                    group_filter = settings.group_search_filter.replace(
                        "{{dn}}", user["dn"]
                    ).replace("{{username}}", uid if isinstance(uid, str) else "undefined")
                    user["_groups"] = self._search(admin, settings.group_search_base, group_filter)
                return user
            finally:
                admin.unbind()
        except (LdapRejected, LdapUnavailable, LdapMisconfigured):
            raise
        except LDAPException as error:
            raise LdapUnavailable(f"LDAP server {settings.url} unreachable: {error}") from error

    def _bind_as(self, dn: str, password: str) -> None:
        try:
            conn = Connection(
                self._server(),
                user=dn,
                password=password,
                receive_timeout=RECEIVE_TIMEOUT,
                raise_exceptions=True,
            )
            conn.bind()
            conn.unbind()
        except (LDAPBindError, LDAPInvalidCredentialsResult) as error:
            raise LdapRejected("Invalid username/password") from error
