"""Runtime settings, read once from the environment; the page texts come from config.json."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """The environment or the config file is not usable (the message says what to fix)."""


class PageConfig(BaseModel):
    """Upstream LandingPageServer's config.json keys (SciCatLive's services/landingpage/config)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    facility: str = "SCICATLIVE"
    doiBaseUrl: str = "https://doi.org/"
    scicatBaseUrl: str = ""
    lbBaseUrl: str = ""
    oaiProviderRoute: str = ""
    accessDataHref: str = ""
    statusMessage: str = ""
    contactEmail: str = ""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend_url: str
    page: PageConfig
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    backend_timeout: float = Field(default=10.0, gt=0)
    backend_wait_seconds: float = Field(default=60.0, ge=0)
    files_per_dataset: int = Field(default=200, ge=0)
    per_page: int = Field(default=25, ge=1, le=500)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        backend = (env.get("BACKEND_URL") or "").strip().rstrip("/")
        if not backend.startswith(("http://", "https://")):
            raise SettingsError("BACKEND_URL must be set to the SciCat backend's URL as this "
                                "container reaches it, e.g. http://backend:3000")
        values: dict[str, object] = {
            "backend_url": backend.removesuffix("/api/v3"),
            "page": load_page_config(env.get("LANDING_CONFIG_FILE")),
            "host": env.get("HOST", "0.0.0.0"),
            "port": env.get("PORT", "8080"),
            "backend_timeout": env.get("BACKEND_TIMEOUT", "10"),
            "backend_wait_seconds": env.get("BACKEND_WAIT_SECONDS", "60"),
            "files_per_dataset": env.get("FILES_PER_DATASET", "200"),
            "per_page": env.get("PER_PAGE", "25"),
        }
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{str(e['loc'][0]).upper()}: {e['msg']}" for e in error.errors())
            raise SettingsError(problems) from error


def load_page_config(path: str | None) -> PageConfig:
    if not path:
        return PageConfig()
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(f"LANDING_CONFIG_FILE {path}: cannot read it ({error.strerror})") \
            from None
    except json.JSONDecodeError as error:
        raise SettingsError(f"LANDING_CONFIG_FILE {path}: not JSON ({error.msg}, line "
                            f"{error.lineno})") from None
    try:
        return PageConfig.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise SettingsError(f"LANDING_CONFIG_FILE {path}: {'.'.join(map(str, first['loc']))}: "
                            f"{first['msg']}") from None
