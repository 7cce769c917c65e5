"""Runtime settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError


class SettingsError(ValueError):
    """The environment does not describe a usable search API (the message says what to fix)."""


def _flag(raw: str | None, default: bool) -> bool:
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend_url: str = Field(description="the SciCat backend, e.g. http://backend:3000")
    facility: str = Field(default="SCICATLIVE", min_length=1)
    scicat_username: str | None = None
    scicat_password: SecretStr | None = None
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    backend_timeout: float = Field(default=10.0, gt=0)
    backend_wait_seconds: float = Field(default=60.0, ge=0)
    change_check_seconds: float = Field(default=2.0, ge=0)
    max_age_seconds: float = Field(default=300.0, gt=0)
    page_size: int = Field(default=500, ge=1, le=5000)
    return_zero_score: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        backend = (env.get("BACKEND_URL") or env.get("BASE_URL") or "").strip()
        if not backend.startswith(("http://", "https://")):
            raise SettingsError(
                "BACKEND_URL must be set to the SciCat backend's URL, e.g. http://backend:3000"
            )
        # Upstream's BASE_URL names the v3 API root (…/api/v3); ours is the server root.
        backend = backend.rstrip("/").removesuffix("/api/v3")
        username = env.get("SCICAT_USERNAME") or None
        password = env.get("SCICAT_PASSWORD") or None
        if (username is None) != (password is None):
            raise SettingsError(
                "SCICAT_USERNAME and SCICAT_PASSWORD go together: set both (an account that may "
                "read proposals) or neither (anonymous, public data only)"
            )
        values: dict[str, object] = {
            "backend_url": backend,
            "facility": env.get("FACILITY", "SCICATLIVE"),
            "scicat_username": username,
            "scicat_password": password,
            "host": env.get("HOST", "0.0.0.0"),
            "port": env.get("PORT", "3000"),
            "backend_timeout": env.get("BACKEND_TIMEOUT", "10"),
            "backend_wait_seconds": env.get("BACKEND_WAIT_SECONDS", "60"),
            "change_check_seconds": env.get("CHANGE_CHECK_SECONDS", "2"),
            "max_age_seconds": env.get("MAX_AGE_SECONDS", "300"),
            "page_size": env.get("PAGE_SIZE", "500"),
            "return_zero_score": _flag(env.get("RETURN_ZERO_SCORE"), False),
        }
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{_env_name(str(e['loc'][0]))}: {e['msg']}" for e in error.errors()
            )
            raise SettingsError(problems) from error


def _env_name(field: str) -> str:
    return field.upper()
