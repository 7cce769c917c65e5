"""Configuration from the environment, read once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

Number = TypeVar("Number", int, float)


class SettingsError(ValueError):
    """A required environment variable is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    jwt_secret: str
    users_file: Path
    host: str = "0.0.0.0"
    port: int = 8000
    token_minutes: int = 300
    site: str = "MAXIV"
    default_sample_changer: str = "ISARA"
    database_wait_seconds: float = 120.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=_required(env, "DATABASE_URL"),
            jwt_secret=_required(env, "JWT_SECRET"),
            users_file=Path(_required(env, "ISPYB_USERS_FILE")),
            host=env.get("HOST", cls.host),
            port=_number(env, "PORT", int, cls.port),
            token_minutes=_number(env, "JWT_EXPIRY_MINUTES", int, cls.token_minutes),
            site=env.get("ISPYB_SITE") or cls.site,
            default_sample_changer=env.get("ISPYB_SAMPLE_CHANGER") or cls.default_sample_changer,
            database_wait_seconds=_number(
                env, "DATABASE_WAIT_SECONDS", float, cls.database_wait_seconds
            ),
        )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "")
    if not value:
        raise SettingsError(f"environment variable {name} is required")
    return value


def _number(env: Mapping[str, str], name: str, kind: type[Number], default: Number) -> Number:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError as error:
        raise SettingsError(f"environment variable {name} must be a number, got {raw!r}") from error
