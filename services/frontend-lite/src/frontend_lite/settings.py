"""Runtime settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

MIN_SECRET_LENGTH = 16


class SettingsError(ValueError):
    """The environment does not describe a usable frontend (the message says what to fix)."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    config_file: Path = Field(description="the SciCat frontend config.json (lbBaseURL, siteTitle)")
    session_secret: SecretStr = Field(min_length=MIN_SECRET_LENGTH)
    backend_internal_url: str | None = Field(
        default=None, description="the backend as this container reaches it; lbBaseURL when unset"
    )
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    https_only: bool = False
    backend_timeout: float = Field(default=15.0, gt=0)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        secret = env.get("SESSION_SECRET", "")
        if len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"SESSION_SECRET must be set to at least {MIN_SECRET_LENGTH} characters "
                "(it signs the session cookie that holds the user's token)"
            )
        values: dict[str, object] = {
            "config_file": env.get("SCICAT_CONFIG_FILE", "config.json"),
            "session_secret": secret,
            "backend_internal_url": env.get("BACKEND_INTERNAL_URL") or None,
            "host": env.get("HOST", "0.0.0.0"),
            "port": env.get("PORT", "8080"),
            "https_only": env.get("SESSION_HTTPS_ONLY", "false").strip().lower()
            in {"1", "true", "yes"},
            "backend_timeout": env.get("BACKEND_TIMEOUT", "15"),
        }
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
            )
            raise SettingsError(problems) from error
