"""The follower service's settings, read once from its environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """A variable is missing or malformed; the message names it and says what to set."""


_VARIABLES = {
    "scicat_url": "SCICAT_URL", "ispyb_url": "ISPYB_URL", "account": "SYNC_ACCOUNT",
    "password": "SYNC_PASSWORD", "site": "SITE", "pid_prefix": "PID_PREFIX",
    "poll_seconds": "POLL_SECONDS", "state_file": "STATE_FILE", "sample_layout": "SAMPLE_LAYOUT",
    "host": "HOST", "port": "PORT", "stale_seconds": "HEALTH_STALE_SECONDS",
}  # fmt: skip


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    scicat_url: str = Field(pattern=r"^https?://", description="the SciCat backend")
    ispyb_url: str = Field(pattern=r"^https?://", description="the ISPyB (its base URL, without /ispyb/api/v1)")
    account: str = Field(default="admin", min_length=1)
    password: str = Field(min_length=1)
    site: str = Field(default="SCICATLIVE", min_length=1)
    pid_prefix: str = Field(default="PID.SAMPLE.PREFIX", min_length=1)
    poll_seconds: float = Field(default=1.0, gt=0, le=300)
    state_file: Path = Path("/var/lib/scicatlive-sync/follow.json")
    sample_layout: str = Field(default="hierarchical", pattern=r"^(hierarchical|flat)$")
    host: str = "0.0.0.0"
    port: int = Field(default=8095, ge=1, le=65535)
    stale_seconds: float = Field(default=30.0, gt=0, description="no heartbeat for this long: unhealthy")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values = {field: env[variable] for field, variable in _VARIABLES.items() if env.get(variable, "") != ""}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            problem = error.errors()[0]
            field = str(problem["loc"][0])
            variable = _VARIABLES.get(field, field)
            reason = "is required" if problem["type"] == "missing" else f"is invalid ({problem['msg']})"
            raise SettingsError(f"environment variable {variable} {reason}") from None
