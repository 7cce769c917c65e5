"""Runtime settings, read once from the environment (names as upstream's oai-provider-service)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """The environment does not describe a usable provider (the message says what to fix)."""


def _url(value: str, variable: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise SettingsError(f"{variable} must be an http(s) URL, got {value!r}")
    return value


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend_url: str
    service_url: str = Field(description="this provider as harvesters reach it (Identify baseURL)")
    facility_name: str = Field(min_length=1)
    admin_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    landing_page_url: str | None = None
    records_per_page: int = Field(default=100, ge=1, le=10000)
    host: str = "0.0.0.0"
    port: int = Field(default=3000, ge=1, le=65535)
    backend_timeout: float = Field(default=10.0, gt=0)
    backend_wait_seconds: float = Field(default=60.0, ge=0)
    page_size: int = Field(default=500, ge=1, le=5000)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        backend = env.get("SCICAT_BACKEND_URL") or env.get("BACKEND_URL") or ""
        if not backend.strip():
            raise SettingsError("SCICAT_BACKEND_URL must be set to the SciCat backend's URL, "
                                "e.g. http://backend:3000")
        landing = env.get("LANDING_PAGE_URL") or None
        values: dict[str, object] = {
            "backend_url": _url(backend, "SCICAT_BACKEND_URL").removesuffix("/api/v3"),
            "service_url": _url(env.get("SERVICE_URL", "http://localhost:3000"), "SERVICE_URL"),
            "facility_name": env.get("FACILITY_NAME", "SCICATLIVE"),
            "admin_email": env.get("ADMIN_USER_EMAIL", ""),
            "landing_page_url": landing.strip() if landing else None,
            "records_per_page": env.get("RECORDS_PER_PAGE", "100"),
            "host": env.get("HOST", "0.0.0.0"),
            "port": env.get("PORT", env.get("SERVICE_PORT", "3000")),
            "backend_timeout": env.get("BACKEND_TIMEOUT", "10"),
            "backend_wait_seconds": env.get("BACKEND_WAIT_SECONDS", "60"),
            "page_size": env.get("PAGE_SIZE", "500"),
        }
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            names = {"admin_email": "ADMIN_USER_EMAIL", "facility_name": "FACILITY_NAME",
                     "records_per_page": "RECORDS_PER_PAGE"}
            problems = "; ".join(
                f"{names.get(str(e['loc'][0]), str(e['loc'][0]).upper())}: {e['msg']}"
                for e in error.errors()
            )
            raise SettingsError(problems) from error
