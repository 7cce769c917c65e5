"""The worker's configuration, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """A missing or malformed variable; the message names it and says what to set."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    amqp_url: str = Field(description="AMQP_URL: amqp://user:password@host:5672/%2F")
    job_exchange: str = "amqp.topic"
    job_queue: str = "client.jobs.write.v4"
    job_routing_key: str = "jobqueuev4"
    scicat_url: str = Field(description="SCICAT_URL: the backend, e.g. http://backend:3000")
    scicat_username: str
    scicat_password: str
    # Only jobs still in the backend's initial status are new work; every later
    # update comes back through the queue too (the backend publishes on PATCH).
    initial_status: str = "jobSubmitted"
    archive_delay: float = Field(default=2.0, ge=0)
    retrieve_delay: float = Field(default=2.0, ge=0)
    failure_rate: float = Field(default=0.0, ge=0, le=1)
    concurrency: int = Field(default=2, ge=1, le=64)
    random_seed: int | None = None
    wait_seconds: float = Field(default=60.0, ge=0)
    host: str = "0.0.0.0"
    port: int = Field(default=8090, ge=1, le=65535)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        names = {
            "amqp_url": "AMQP_URL", "job_exchange": "JOB_EXCHANGE", "job_queue": "JOB_QUEUE",
            "job_routing_key": "JOB_ROUTING_KEY", "scicat_url": "SCICAT_URL",
            "scicat_username": "SCICAT_USERNAME", "scicat_password": "SCICAT_PASSWORD",
            "initial_status": "JOB_INITIAL_STATUS", "archive_delay": "ARCHIVE_DELAY_SECONDS",
            "retrieve_delay": "RETRIEVE_DELAY_SECONDS", "failure_rate": "FAILURE_RATE",
            "concurrency": "WORKER_CONCURRENCY", "random_seed": "RANDOM_SEED",
            "wait_seconds": "DEPENDENCY_WAIT_SECONDS", "host": "HOST", "port": "PORT",
        }
        values = {field: env[variable] for field, variable in names.items() if env.get(variable, "") != ""}
        try:
            settings = cls.model_validate(values)
        except ValidationError as exc:
            error = exc.errors()[0]
            variable = names[str(error["loc"][0])]
            problem = "is required" if error["type"] == "missing" else f"is invalid: {error['msg']}"
            raise SettingsError(f"{variable} {problem}") from None
        if not settings.amqp_url.startswith(("amqp://", "amqps://")):
            raise SettingsError("AMQP_URL must be an amqp:// or amqps:// URL")
        if not settings.scicat_url.startswith(("http://", "https://")):
            raise SettingsError("SCICAT_URL must be an http:// or https:// URL")
        return settings
