"""Access groups a login adds to the user's identity (upstream's access-group providers).

Enabled providers run in order (static values, OIDC payload, LDAP payload) and their
groups are concatenated, blank names dropped. Upstream's REST and GraphQL providers
need site code and are not offered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..auth_settings import AccessGroupSettings


class AccessGroups:
    def __init__(self, settings: AccessGroupSettings) -> None:
        self._settings = settings

    def for_login(
        self, payload: Mapping[str, Any] | None = None, oidc_property: str | None = None
    ) -> list[str]:
        """The groups of one login; ``payload`` is the LDAP entry or the ID token's claims."""
        found: list[str] = []
        if self._settings.static_enabled:
            found += self._settings.static_values
        if self._settings.oidc_payload_enabled and oidc_property and payload is not None:
            claim = payload.get(oidc_property)
            if isinstance(claim, list):
                found += [group for group in claim if isinstance(group, str)]
        if self._settings.ldap_payload_enabled and payload is not None:
            entries = payload.get("_groups")
            if isinstance(entries, list):
                name = self._settings.ldap_property
                found += [
                    entry[name]
                    for entry in entries
                    if isinstance(entry, Mapping) and isinstance(entry.get(name), str)
                ]
        return [group for group in found if group.strip()]
