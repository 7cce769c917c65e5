"""Runtime configuration, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

ALL_AUTHENTICATED = "#all"


def _groups(raw: str | None, default: str = "") -> frozenset[str]:
    """Parse a comma-separated group list the way the backend does (trimmed, no empties)."""
    value = default if raw is None else raw
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _size(raw: str) -> int:
    """Parse a body limit such as ``16mb``, ``512kb`` or a plain byte count."""
    text = raw.strip().lower()
    for suffix, factor in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024), ("b", 1)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * factor)
    return int(text)


@dataclass(frozen=True)
class GroupSettings:
    """The backend's group variables (see the README for their effect)."""

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

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GroupSettings:
        return cls(
            admin=_groups(env.get("ADMIN_GROUPS")),
            delete=_groups(env.get("DELETE_GROUPS")),
            create_dataset=_groups(env.get("CREATE_DATASET_GROUPS"), ALL_AUTHENTICATED),
            create_dataset_with_pid=_groups(env.get("CREATE_DATASET_WITH_PID_GROUPS")),
            create_dataset_privileged=_groups(env.get("CREATE_DATASET_PRIVILEGED_GROUPS")),
            proposal=_groups(env.get("PROPOSAL_GROUPS")),
            sample=_groups(env.get("SAMPLE_GROUPS"), ALL_AUTHENTICATED),
            sample_privileged=_groups(env.get("SAMPLE_PRIVILEGED_GROUPS")),
            attachment=_groups(env.get("ATTACHMENT_GROUPS"), ALL_AUTHENTICATED),
            attachment_privileged=_groups(env.get("ATTACHMENT_PRIVILEGED_GROUPS")),
        )


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment."""

    database_url: str
    jwt_secret: str
    pid_prefix: str = "undefined"
    functional_accounts_file: str = "functionalAccounts.json"
    jwt_expires_in: int = 3600
    max_body_bytes: int = 16 * 1024**2
    host: str = "0.0.0.0"
    port: int = 3000
    db_pool_size: int = 8
    db_wait_seconds: float = 60.0
    groups: GroupSettings = field(default_factory=GroupSettings)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        missing = [name for name in ("DATABASE_URL", "JWT_SECRET") if not env.get(name)]
        if missing:
            raise RuntimeError(
                f"scicat-lite needs the environment variable(s) {', '.join(missing)}"
            )
        return cls(
            database_url=env["DATABASE_URL"],
            jwt_secret=env["JWT_SECRET"],
            pid_prefix=env.get("PID_PREFIX", "undefined").rstrip("/") or "undefined",
            functional_accounts_file=env.get("FUNCTIONAL_ACCOUNTS_FILE", "functionalAccounts.json"),
            jwt_expires_in=int(env.get("JWT_EXPIRES_IN", "3600")),
            max_body_bytes=_size(env.get("MAX_FILE_UPLOAD_SIZE", "16mb")),
            host=env.get("HOST", "0.0.0.0"),
            port=int(env.get("PORT", "3000")),
            db_pool_size=int(env.get("DB_POOL_SIZE", "8")),
            db_wait_seconds=float(env.get("DB_WAIT_SECONDS", "60")),
            groups=GroupSettings.from_env(env),
        )
