"""Runtime configuration, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from .auth_settings import AccessGroupSettings, LdapSettings, OidcSettings
from .feature_settings import FeatureSettings
from .settings_base import SettingsError, parse_size, parsed, required, split_list

__all__ = ["ALL_AUTHENTICATED", "GroupSettings", "Settings", "SettingsError"]

ALL_AUTHENTICATED = "#all"


def _groups(env: Mapping[str, str], name: str, default: str = "") -> frozenset[str]:
    """A comma-separated group list, as the backend splits it (trimmed, no empties)."""
    raw = env.get(name)
    return frozenset(split_list(default if raw is None else raw))


HISTORY_GROUP_VARIABLES = {
    "Dataset": "DATASET",
    "Proposal": "PROPOSAL",
    "Sample": "SAMPLE",
    "Instrument": "INSTRUMENT",
    "PublishedData": "PUBLISHED_DATA",
    "Policy": "POLICIES",
    "Datablock": "DATABLOCK",
    "Attachment": "ATTACHMENT",
}


class GroupSettings(BaseModel):
    """The backend's group variables (see the README for their effect)."""

    model_config = ConfigDict(frozen=True)

    admin: frozenset[str] = frozenset()
    delete: frozenset[str] = frozenset()
    create_dataset: frozenset[str] = frozenset({ALL_AUTHENTICATED})
    create_dataset_with_pid: frozenset[str] = frozenset()
    create_dataset_privileged: frozenset[str] = frozenset()
    proposal: frozenset[str] = frozenset()
    sample: frozenset[str] = frozenset({ALL_AUTHENTICATED})
    sample_privileged: frozenset[str] = frozenset()
    attachment: frozenset[str] = frozenset({ALL_AUTHENTICATED})
    attachment_privileged: frozenset[str] = frozenset()
    create_job_privileged: frozenset[str] = frozenset()
    update_job_privileged: frozenset[str] = frozenset()
    delete_job: frozenset[str] = frozenset()
    policy: frozenset[str] = frozenset()
    update_dataset_lifecycle: frozenset[str] = frozenset()
    # HISTORY_ACCESS_<SUBSYSTEM>_GROUPS, by history subsystem (Dataset, Proposal, ...).
    history: dict[str, frozenset[str]] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GroupSettings:
        return cls(
            admin=_groups(env, "ADMIN_GROUPS"),
            delete=_groups(env, "DELETE_GROUPS"),
            create_dataset=_groups(env, "CREATE_DATASET_GROUPS", ALL_AUTHENTICATED),
            create_dataset_with_pid=_groups(env, "CREATE_DATASET_WITH_PID_GROUPS"),
            create_dataset_privileged=_groups(env, "CREATE_DATASET_PRIVILEGED_GROUPS"),
            proposal=_groups(env, "PROPOSAL_GROUPS"),
            sample=_groups(env, "SAMPLE_GROUPS", ALL_AUTHENTICATED),
            sample_privileged=_groups(env, "SAMPLE_PRIVILEGED_GROUPS"),
            attachment=_groups(env, "ATTACHMENT_GROUPS", ALL_AUTHENTICATED),
            attachment_privileged=_groups(env, "ATTACHMENT_PRIVILEGED_GROUPS"),
            create_job_privileged=_groups(env, "CREATE_JOB_PRIVILEGED_GROUPS"),
            update_job_privileged=_groups(env, "UPDATE_JOB_PRIVILEGED_GROUPS"),
            delete_job=_groups(env, "DELETE_JOB_GROUPS"),
            policy=_groups(env, "POLICY_GROUPS"),
            update_dataset_lifecycle=_groups(env, "UPDATE_DATASET_LIFECYCLE_GROUPS"),
            history={
                subsystem: _groups(env, f"HISTORY_ACCESS_{variable}_GROUPS")
                for subsystem, variable in HISTORY_GROUP_VARIABLES.items()
            },
        )


class Settings(BaseModel):
    """Everything the service reads from its environment."""

    model_config = ConfigDict(frozen=True)

    database_url: str
    jwt_secret: str
    pid_prefix: str = "undefined"
    functional_accounts_file: str = "functionalAccounts.json"
    jwt_expires_in: int = 3600
    max_body_bytes: int = 16 * 1024**2
    host: str = "0.0.0.0"
    port: int = 3000
    workers: int = 1
    database_pool_size: int = 8
    database_wait_seconds: float = 60.0
    groups: GroupSettings = GroupSettings()
    # Logins beyond the functional accounts.
    jwt_never_expires: str = "100y"
    logout_url: str = ""
    session_secret: str = ""
    access_groups: AccessGroupSettings = AccessGroupSettings()
    ldap: LdapSettings = LdapSettings()
    oidc: OidcSettings = OidcSettings()
    # Configuration served to the frontend, and the logbook service.
    frontend_config_file: str = "./src/config/frontend.config.json"
    frontend_theme_file: str = "./src/config/frontend.theme.json"
    logbook_enabled: bool = False
    logbook_base_url: str = "http://localhost:3030/scichatapi"
    features: FeatureSettings = FeatureSettings()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        settings = cls(
            database_url=required(env, "DATABASE_URL", "the libpq URL of the PostgreSQL database"),
            jwt_secret=required(env, "JWT_SECRET", "the key that signs access tokens"),
            pid_prefix=env.get("PID_PREFIX", "undefined").rstrip("/") or "undefined",
            functional_accounts_file=env.get("FUNCTIONAL_ACCOUNTS_FILE")
            or "functionalAccounts.json",
            jwt_expires_in=parsed(env, "JWT_EXPIRES_IN", int, 3600, "a number of seconds"),
            max_body_bytes=parsed(
                env,
                "MAX_FILE_UPLOAD_SIZE",
                parse_size,
                16 * 1024**2,
                "a size such as 16mb or 512kb",
            ),
            host=env.get("HOST") or "0.0.0.0",
            port=_port(env),
            workers=max(1, parsed(env, "WEB_CONCURRENCY", int, 1, "a number of processes")),
            database_pool_size=max(
                1, parsed(env, "DATABASE_POOL_SIZE", int, 8, "a number of connections")
            ),
            database_wait_seconds=parsed(
                env, "DATABASE_WAIT_SECONDS", float, 60.0, "a number of seconds"
            ),
            groups=GroupSettings.from_env(env),
            jwt_never_expires=env.get("JWT_NEVER_EXPIRES") or "100y",
            logout_url=env.get("LOGOUT_URL", ""),
            session_secret=env.get("EXPRESS_SESSION_SECRET", ""),
            access_groups=AccessGroupSettings.from_env(env),
            ldap=LdapSettings.from_env(env),
            oidc=OidcSettings.from_env(env),
            frontend_config_file=env.get("FRONTEND_CONFIG_FILE")
            or "./src/config/frontend.config.json",
            frontend_theme_file=env.get("FRONTEND_THEME_FILE")
            or "./src/config/frontend.theme.json",
            logbook_enabled=env.get("LOGBOOK_ENABLED") == "yes",
            logbook_base_url=env.get("LOGBOOK_BASE_URL") or "http://localhost:3030/scichatapi",
            features=FeatureSettings.from_env(env),
        )
        settings.check_logins()
        return settings

    def check_logins(self) -> None:
        """What upstream only finds out at the first login (or at start-up, as a crash)."""
        if self.ldap.configured and not self.ldap.search_filter:
            raise SettingsError(
                "environment variable LDAP_SEARCH_FILTER is required when LDAP_URL is set, "
                "e.g. (uid={{username}})"
            )
        if self.oidc.configured:
            for name, value in (
                ("OIDC_CLIENT_ID", self.oidc.client_id),
                ("OIDC_CALLBACK_URL", self.oidc.callback_url),
                ("EXPRESS_SESSION_SECRET", self.session_secret),
            ):
                if not value:
                    raise SettingsError(
                        f"environment variable {name} is required when OIDC_ISSUER is set"
                    )


def _port(env: Mapping[str, str]) -> int:
    port = parsed(env, "PORT", int, 3000, "a TCP port (1-65535)")
    if not 1 <= port <= 65535:
        raise SettingsError(f"environment variable PORT must be a TCP port (1-65535), got {port}")
    return port
