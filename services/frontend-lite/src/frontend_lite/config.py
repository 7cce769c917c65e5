"""The SciCat frontend ``config.json`` that scicatlive renders from the profile."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ConfigError(ValueError):
    """The config file is missing or malformed (the message names the file and the key)."""


class FrontendConfig(BaseModel):
    """The keys this frontend reads; any other upstream key is kept and served back unchanged."""

    model_config = ConfigDict(extra="allow", frozen=True)

    lbBaseURL: str = Field(description="the backend's URL as a browser reaches it")
    siteTitle: str = "SciCat"
    # The upstream frontend's switches (its bundled config.json has them all on).
    editDatasetEnabled: bool = True
    editMetadataEnabled: bool = True
    shareEnabled: bool = True
    editPublishedData: bool = True
    # Where a DOI's public landing page is: ``landingPage + encoded DOI`` (upstream).
    landingPage: str | None = None
    defaultDatasetsListSettings: dict[str, Any] = Field(default_factory=dict)

    @property
    def default_columns(self) -> Any:
        return self.defaultDatasetsListSettings.get("columns")

    @field_validator("lbBaseURL")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("siteTitle", mode="before")
    @classmethod
    def _title(cls, value: Any) -> Any:
        return value or "SciCat"


def load_config(path: Path) -> tuple[FrontendConfig, dict[str, Any]]:
    """The validated config and the document exactly as written (served at ``/config.json``)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: not found (set SCICAT_CONFIG_FILE)") from error
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not JSON: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: must be a JSON object")
    try:
        return FrontendConfig.model_validate(raw), raw
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"{path}: {problems}") from error
