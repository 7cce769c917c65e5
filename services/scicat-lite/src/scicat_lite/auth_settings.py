"""The login-related variables of backend v5 (``src/config/configuration.ts``): LDAP, OIDC, groups.

Names and defaults are upstream's, so a backend's environment works here unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict

from .settings_base import SettingsError, split_list


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """mathjs ``boolean()`` as upstream applies it: true/false/1/0 (any case), else an error."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise SettingsError(f"environment variable {name} must be true or false, got {raw!r}")


class AccessGroupSettings(BaseModel):
    """Where login adds access groups from (``ACCESS_GROUPS_*``)."""

    model_config = ConfigDict(frozen=True)

    static_enabled: bool = True
    static_values: tuple[str, ...] = ()
    oidc_payload_enabled: bool = False
    oidc_property: str | None = None
    ldap_payload_enabled: bool = False
    ldap_property: str = "cn"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AccessGroupSettings:
        return cls(
            static_enabled=_flag(env, "ACCESS_GROUPS_STATIC_ENABLED", True),
            static_values=tuple(split_list(env.get("ACCESS_GROUPS_STATIC_VALUES", ""))),
            oidc_payload_enabled=_flag(env, "ACCESS_GROUPS_OIDCPAYLOAD_ENABLED", False),
            oidc_property=env.get("OIDC_ACCESS_GROUPS_PROPERTY") or None,
            ldap_payload_enabled=_flag(env, "ACCESS_GROUPS_LDAPPAYLOAD_ENABLED", False),
            ldap_property=env.get("LDAP_ACCESS_GROUPS_PROPERTY") or "cn",
        )


class LdapSettings(BaseModel):
    """``LDAP_*``: the server ``/auth/ldap`` binds against (unset URL = not configured)."""

    model_config = ConfigDict(frozen=True)

    url: str = ""
    bind_dn: str = ""
    bind_credentials: str = ""
    search_base: str = ""
    search_filter: str = ""
    group_search_base: str = ""
    group_search_filter: str = ""
    mode: str = "ad"
    external_id_attr: str = "sAMAccountName"
    username_attr: str = "displayName"

    @property
    def configured(self) -> bool:
        return bool(self.url)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LdapSettings:
        url = env.get("LDAP_URL", "")
        if url and urlparse(url).scheme not in ("ldap", "ldaps"):
            raise SettingsError(
                f"environment variable LDAP_URL must be an ldap:// or ldaps:// URL, got {url!r}"
            )
        return cls(
            url=url,
            bind_dn=env.get("LDAP_BIND_DN", ""),
            bind_credentials=env.get("LDAP_BIND_CREDENTIALS", ""),
            search_base=env.get("LDAP_SEARCH_BASE", ""),
            search_filter=env.get("LDAP_SEARCH_FILTER", ""),
            group_search_base=env.get("LDAP_GROUP_SEARCH_BASE", ""),
            group_search_filter=env.get("LDAP_GROUP_SEARCH_FILTER", ""),
            mode=env.get("LDAP_MODE", "ad"),
            external_id_attr=env.get("LDAP_EXTERNAL_ID", "sAMAccountName"),
            username_attr=env.get("LDAP_USERNAME_ATTR", "displayName"),
        )


class OidcClient(BaseModel):
    """Where a frontend client goes after login (``OIDC_<CLIENT>_SUCCESS_URL`` / ``_RETURN_URL``)."""

    model_config = ConfigDict(frozen=True)

    success_url: str | None = None
    return_url: str | None = None


# Environment variable → profile field, as OIDC_USERINFO_MAPPING_FIELD_* name them.
USERINFO_MAPPING = {
    "id": "OIDC_USERINFO_MAPPING_FIELD_ID",
    "displayName": "OIDC_USERINFO_MAPPING_FIELD_DISPLAYNAME",
    "familyName": "OIDC_USERINFO_MAPPING_FIELD_FAMILYNAME",
    "emails": "OIDC_USERINFO_MAPPING_FIELD_EMAILS",
    "email": "OIDC_USERINFO_MAPPING_FIELD_EMAIL",
    "thumbnailPhoto": "OIDC_USERINFO_MAPPING_FIELD_THUMBNAILPHOTO",
    "groups": "OIDC_USERINFO_MAPPING_FIELD_GROUP",
    "provider": "OIDC_USERINFO_MAPPING_FIELD_PROVIDER",
}


class OidcSettings(BaseModel):
    """``OIDC_*``: the provider ``/auth/oidc`` sends users to (unset issuer = not configured)."""

    model_config = ConfigDict(frozen=True)

    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""
    callback_url: str = ""
    scope: str = ""
    auto_logout: bool = True
    clients: dict[str, OidcClient] = {}
    userinfo_mapping: dict[str, str] = {}
    username_fields: tuple[str, ...] = ()
    user_query_operator: str = "or"
    user_query_filter: tuple[str, ...] = ()
    additional_authorized_parties: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        return bool(self.issuer)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcSettings:
        names = ["scicat", *split_list(env.get("OIDC_FRONTEND_CLIENTS", ""))]
        clients: dict[str, OidcClient] = {}
        for name in dict.fromkeys(names):
            clients[name] = _client(env, name)
        auto_logout = env.get("OIDC_AUTO_LOGOUT", "")
        # upstream: parseBoolean(OIDC_AUTO_LOGOUT || true)
        return cls(
            issuer=(env.get("OIDC_ISSUER") or "").rstrip("/"),
            client_id=env.get("OIDC_CLIENT_ID", ""),
            client_secret=env.get("OIDC_CLIENT_SECRET", ""),
            callback_url=env.get("OIDC_CALLBACK_URL", ""),
            scope=env.get("OIDC_SCOPE", ""),
            auto_logout=auto_logout in ("true", "1", "on", "yes") if auto_logout else True,
            clients=clients,
            userinfo_mapping={k: env[v] for k, v in USERINFO_MAPPING.items() if env.get(v)},
            username_fields=tuple(split_list(env.get("OIDC_USERINFO_MAPPING_FIELD_USERNAME", ""))),
            user_query_operator=env.get("OIDC_USERQUERY_OPERATOR") or "or",
            user_query_filter=tuple(split_list(env.get("OIDC_USERQUERY_FILTER", ""))),
            additional_authorized_parties=tuple(
                split_list(env.get("OIDC_ADDITIONAL_AUTHORIZED_PARTIES", ""))
            ),
        )


def _client(env: Mapping[str, str], name: str) -> OidcClient:
    if name == "scicat":
        success = env.get("OIDC_SUCCESS_URL") or None
        if success and urlparse(success).path not in ("/login", "/auth-callback"):
            raise SettingsError(
                "environment variable OIDC_SUCCESS_URL must be <frontend-base-url>/login or "
                f"<frontend-base-url>/auth-callback for the default client scicat, got {success!r}"
            )
        return OidcClient(success_url=success, return_url=env.get("OIDC_RETURN_URL") or None)
    prefix = f"OIDC_{name.upper()}"
    success = env.get(f"{prefix}_SUCCESS_URL")
    if not success:
        raise SettingsError(
            f"environment variable {prefix}_SUCCESS_URL is required: {name} is listed in "
            "OIDC_FRONTEND_CLIENTS"
        )
    return OidcClient(success_url=success, return_url=env.get(f"{prefix}_RETURN_URL") or None)
