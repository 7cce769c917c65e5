"""Runtime settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

MIN_SECRET_LENGTH = 16
BUNDLED_VIEWS = Path(__file__).resolve().parent / "views" / "mx.yaml"

# Settings field → the environment variable that sets it (errors name the variable).
ENV_NAMES: dict[str, str] = {
    "config_file": "SCICAT_CONFIG_FILE",
    "dataset_views_file": "DATASET_VIEWS_FILE",
    "session_secret": "SESSION_SECRET",
    "backend_internal_url": "BACKEND_INTERNAL_URL",
    "host": "HOST",
    "port": "PORT",
    "https_only": "SESSION_HTTPS_ONLY",
    "backend_timeout": "BACKEND_TIMEOUT",
    "backend_connect_timeout": "BACKEND_CONNECT_TIMEOUT",
    "backend_wait_seconds": "BACKEND_WAIT_SECONDS",
    "backend_probe_interval": "BACKEND_PROBE_INTERVAL",
}
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class SettingsError(ValueError):
    """The environment does not describe a usable frontend (the message says what to fix)."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    config_file: Path = Field(description="the SciCat frontend config.json (lbBaseURL, siteTitle)")
    dataset_views_file: Path = Field(
        default=BUNDLED_VIEWS,
        description="the YAML view configuration (which sections a dataset shows)",
    )
    session_secret: SecretStr = Field(min_length=MIN_SECRET_LENGTH)
    backend_internal_url: str | None = Field(
        default=None, description="the backend as this container reaches it; lbBaseURL when unset"
    )
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    https_only: bool = False
    backend_timeout: float = Field(
        default=15.0, gt=0, description="seconds a backend call may take"
    )
    backend_connect_timeout: float = Field(
        default=0.5, gt=0, le=10, description="seconds to open a connection to the backend"
    )
    backend_wait_seconds: float = Field(
        default=60.0, ge=0, description="how long start-up waits for the backend (0: not at all)"
    )
    backend_probe_interval: float = Field(
        default=2.0, gt=0, le=60, description="seconds between two checks of the backend's health"
    )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        secret = env.get("SESSION_SECRET", "")
        if len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(
                f"SESSION_SECRET must be set to at least {MIN_SECRET_LENGTH} characters "
                "(it signs the session cookie that holds the user's token)"
            )
        values: dict[str, object] = {"config_file": env.get("SCICAT_CONFIG_FILE", "config.json")}
        for name, variable in ENV_NAMES.items():
            if name == "config_file" or variable not in env:
                continue
            value = env[variable]
            if name == "https_only":
                values[name] = _flag(variable, value)
            elif name == "backend_internal_url":
                values[name] = value.strip() or None
            elif value.strip():
                values[name] = value.strip()
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise SettingsError("; ".join(_problem(e, values) for e in error.errors())) from error


def _problem(error: Any, values: Mapping[str, object]) -> str:
    name = str(error["loc"][0]) if error["loc"] else ""
    variable = ENV_NAMES.get(name, name)
    shown = "" if name == "session_secret" else f"={values.get(name)!r}"
    return f"{variable}{shown}: {error['msg']}"


def _flag(variable: str, value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{variable}={value!r}: must be true or false")
