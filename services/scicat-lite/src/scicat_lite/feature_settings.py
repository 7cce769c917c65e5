"""Settings of jobs, mail, published data and history: part of :class:`Settings`."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from .settings_base import parsed, required


class BrokerSettings(BaseModel):
    """``RABBITMQ_HOSTNAME``, ``_PORT``, ``_USERNAME``, ``_PASSWORD``."""

    model_config = ConfigDict(frozen=True)

    hostname: str
    port: int
    username: str
    password: str


class MailSettings(BaseModel):
    """``SMTP_HOST``/``_PORT``/``_SECURE``, ``EMAIL_FROM``, ``EMAIL_REPLYTO``.

    Without a host, mails are logged instead of sent.
    """

    model_config = ConfigDict(frozen=True)

    host: str | None = None
    port: int = 587
    secure: bool = False
    sender: str | None = None
    reply_to: str | None = None


class FeatureSettings(BaseModel):
    """Jobs, published data and history (see the README for each variable)."""

    model_config = ConfigDict(frozen=True)

    job_configuration_file: str | None = None
    job_default_status_code: str = "jobSubmitted"
    job_default_status_message: str = "Job submitted."
    rabbitmq: BrokerSettings | None = None
    mail: MailSettings = MailSettings()
    doi_prefix: str = "undefined"
    doi_short_suffix: bool = False
    published_data_config_file: str = "publishedDataConfig.json"
    trackables: str = ""
    trackable_strategy: str = "document"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> FeatureSettings:
        smtp_host = (env.get("SMTP_HOST") or "").strip() or None
        return cls(
            job_configuration_file=env.get("JOB_CONFIGURATION_FILE") or None,
            job_default_status_code=env.get("JOB_DEFAULT_STATUS_CODE") or "jobSubmitted",
            job_default_status_message=env.get("JOB_DEFAULT_STATUS_MESSAGE") or "Job submitted.",
            rabbitmq=_broker(env),
            mail=MailSettings(
                host=smtp_host,
                port=parsed(env, "SMTP_PORT", int, 587, "a TCP port"),
                secure=env.get("SMTP_SECURE", "no") == "yes",
                sender=env.get("EMAIL_FROM") or env.get("SMTP_MESSAGE_FROM") or None,
                reply_to=env.get("EMAIL_REPLYTO") or None,
            ),
            doi_prefix=(env.get("DOI_PREFIX") or "").rstrip("/") or "undefined",
            doi_short_suffix=env.get("DOI_SHORT_SUFFIX") == "true",
            published_data_config_file=env.get("PUBLISHED_DATA_CONFIG_FILE")
            or "publishedDataConfig.json",
            trackables=env.get("TRACKABLES") or "",
            trackable_strategy="delta"
            if (env.get("TRACKABLE_STRATEGY") or "").lower() == "delta"
            else "document",
        )


def _broker(env: Mapping[str, str]) -> BrokerSettings | None:
    """The broker when ``RABBITMQ_ENABLED=yes``; every connection variable is then required."""
    if env.get("RABBITMQ_ENABLED", "no") != "yes":
        return None
    return BrokerSettings(
        hostname=required(env, "RABBITMQ_HOSTNAME", "the RabbitMQ host (RABBITMQ_ENABLED=yes)"),
        port=parsed(env, "RABBITMQ_PORT", int, 0, "a TCP port")
        or int(required(env, "RABBITMQ_PORT", "the RabbitMQ port, e.g. 5672")),
        username=required(env, "RABBITMQ_USERNAME", "the RabbitMQ user (RABBITMQ_ENABLED=yes)"),
        password=required(env, "RABBITMQ_PASSWORD", "the RabbitMQ password"),
    )
