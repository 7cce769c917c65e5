"""Configuration from the environment, read once at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .rules import SAMPLE_CHANGER_SLOTS


class SettingsError(ValueError):
    """A required environment variable is missing or malformed."""


class OidcSettings(BaseModel):
    """The stack's OpenID Connect provider, for py-ISPyB's ``keycloak`` login plugin."""

    model_config = ConfigDict(frozen=True)

    issuer: str
    audience: str | None = None
    discovery_url: str | None = None
    jwks_url: str | None = None
    username_claim: str = "preferred_username"
    timeout_seconds: float = 3.0

    @property
    def discovery(self) -> str:
        return self.discovery_url or f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


# Environment variable -> (field, description used in error messages).
_VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": ("database_url", "a SQLAlchemy URL, e.g. mysql+pymysql://u:p@host/ispyb"),
    "JWT_SECRET": ("jwt_secret", "the HS256 key of the tokens (at least 16 characters)"),
    "ISPYB_USERS_FILE": ("users_file", "the path of the JSON users file"),
    "HOST": ("host", "the address to listen on"),
    "PORT": ("port", "a TCP port, 1-65535"),
    "JWT_EXPIRY_MINUTES": ("token_minutes", "a whole number of minutes, at least 1"),
    "REFRESH_EXPIRY_MINUTES": ("refresh_minutes", "a whole number of minutes, at least 1"),
    "ISPYB_SITE": ("site", "the facility name, e.g. MAXIV"),
    "ISPYB_SAMPLE_CHANGER": (
        "default_sample_changer",
        f"one of {', '.join(SAMPLE_CHANGER_SLOTS)}",
    ),
    "DATABASE_WAIT_SECONDS": ("database_wait_seconds", "a number of seconds, at least 0"),
    "DATABASE_TIMEOUT_SECONDS": (
        "database_timeout_seconds",
        "a number of seconds above 0 (connect timeout of each database connection)",
    ),
    "DATABASE_POOL_SIZE": ("database_pool_size", "a whole number, at least 1"),
}

_OIDC_VARIABLES: dict[str, tuple[str, str]] = {
    "OIDC_ISSUER": ("issuer", "the provider's issuer URL (the tokens' iss claim)"),
    "OIDC_AUDIENCE": ("audience", "the client id the tokens must be issued for"),
    "OIDC_DISCOVERY_URL": ("discovery_url", "the URL of openid-configuration"),
    "OIDC_JWKS_URL": ("jwks_url", "the URL of the provider's signing keys"),
    "OIDC_USERNAME_CLAIM": ("username_claim", "the claim holding the login"),
    "OIDC_TIMEOUT_SECONDS": ("timeout_seconds", "a number of seconds above 0"),
}


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    database_url: str = Field(min_length=1)
    jwt_secret: str = Field(min_length=16)
    users_file: Path
    host: str = "0.0.0.0"
    port: int = Field(8000, ge=1, le=65535)
    token_minutes: int = Field(300, ge=1)
    refresh_minutes: int = Field(24 * 60, ge=1)
    site: str = Field("MAXIV", min_length=1)
    default_sample_changer: str = "ISARA"
    database_wait_seconds: float = Field(120.0, ge=0)
    database_timeout_seconds: float = Field(0.8, gt=0)
    database_pool_size: int = Field(20, ge=1)
    oidc: OidcSettings | None = None

    @field_validator("default_sample_changer")
    @classmethod
    def _known_changer(cls, value: str) -> str:
        if value not in SAMPLE_CHANGER_SLOTS:
            raise ValueError(f"must be one of {', '.join(SAMPLE_CHANGER_SLOTS)}")
        return value

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; a missing or malformed variable raises :class:`SettingsError`."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {
            field: env[name] for name, (field, _) in _VARIABLES.items() if env.get(name)
        }
        oidc = {field: env[name] for name, (field, _) in _OIDC_VARIABLES.items() if env.get(name)}
        if oidc:
            if "issuer" not in oidc:
                raise SettingsError(
                    "OIDC_ISSUER is required when any OIDC_* variable is set: "
                    "set it to the provider's issuer URL, or unset the OIDC_* variables"
                )
            values["oidc"] = oidc
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            raise SettingsError(_explain(error)) from error


def _explain(error: ValidationError) -> str:
    """One line naming the environment variable at fault and what to set."""
    problem = error.errors()[0]
    location = [str(part) for part in problem["loc"]]
    table = _OIDC_VARIABLES if location[:1] == ["oidc"] else _VARIABLES
    field = location[-1]
    for name, (known, expected) in table.items():
        if known == field:
            if problem["type"] == "missing":
                return f"environment variable {name} is required: set it to {expected}"
            return (
                f"environment variable {name} is invalid ({problem['msg']}): set it to {expected}"
            )
    return f"invalid settings: {problem['msg']}"
