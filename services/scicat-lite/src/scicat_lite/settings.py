"""Runtime configuration, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

ALL_AUTHENTICATED = "#all"

T = TypeVar("T")


class SettingsError(ValueError):
    """A missing or malformed environment variable; the message names it."""


def _groups(env: Mapping[str, str], name: str, default: str = "") -> frozenset[str]:
    """A comma-separated group list, as the backend splits it (trimmed, no empties)."""
    raw = env.get(name)
    value = default if raw is None else raw
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _size(raw: str) -> int:
    """A body limit such as ``16mb``, ``512kb`` or a plain byte count."""
    text = raw.strip().lower()
    for suffix, factor in (("gb", 1024**3), ("mb", 1024**2), ("kb", 1024), ("b", 1)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * factor)
    return int(text)


def _parsed(
    env: Mapping[str, str], name: str, parse: Callable[[str], T], default: T, expected: str
) -> T:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = parse(raw)
    except ValueError:
        value = None
    if value is None or (isinstance(value, (int, float)) and value < 0):
        raise SettingsError(f"environment variable {name} must be {expected}, got {raw!r}")
    return value


def _required(env: Mapping[str, str], name: str, what: str) -> str:
    value = env.get(name, "")
    if not value.strip():
        raise SettingsError(f"environment variable {name} is required: set it to {what}")
    return value


HISTORY_GROUP_VARIABLES = {
    "Dataset": "DATASET",
    "Proposal": "PROPOSAL",
    "Sample": "SAMPLE",
    "Instrument": "INSTRUMENT",
    "PublishedData": "PUBLISHED_DATA",
    "Policy": "POLICIES",
    "Datablock": "DATABLOCK",
    "Attachment": "ATTACHMENT",
}


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
                port=_parsed(env, "SMTP_PORT", int, 587, "a TCP port"),
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
        hostname=_required(env, "RABBITMQ_HOSTNAME", "the RabbitMQ host (RABBITMQ_ENABLED=yes)"),
        port=_parsed(env, "RABBITMQ_PORT", int, 0, "a TCP port") or int(
            _required(env, "RABBITMQ_PORT", "the RabbitMQ port, e.g. 5672")
        ),
        username=_required(env, "RABBITMQ_USERNAME", "the RabbitMQ user (RABBITMQ_ENABLED=yes)"),
        password=_required(env, "RABBITMQ_PASSWORD", "the RabbitMQ password"),
    )


class GroupSettings(BaseModel):
    """The backend's group variables (see the README for their effect)."""

    model_config = ConfigDict(frozen=True)

    admin: frozenset[str] = frozenset()
    delete: frozenset[str] = frozenset()
    create_dataset: frozenset[str] = frozenset({ALL_AUTHENTICATED})
    create_dataset_with_pid: frozenset[str] = frozenset()
    create_dataset_privileged: frozenset[str] = frozenset()
    proposal: frozenset[str] = frozenset()
    sample: frozenset[str] = frozenset({ALL_AUTHENTICATED})
    sample_privileged: frozenset[str] = frozenset()
    attachment: frozenset[str] = frozenset({ALL_AUTHENTICATED})
    attachment_privileged: frozenset[str] = frozenset()
    create_job_privileged: frozenset[str] = frozenset()
    update_job_privileged: frozenset[str] = frozenset()
    delete_job: frozenset[str] = frozenset()
    policy: frozenset[str] = frozenset()
    update_dataset_lifecycle: frozenset[str] = frozenset()
    # HISTORY_ACCESS_<SUBSYSTEM>_GROUPS, by history subsystem (Dataset, Proposal, ...).
    history: dict[str, frozenset[str]] = {}

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GroupSettings:
        return cls(
            admin=_groups(env, "ADMIN_GROUPS"),
            delete=_groups(env, "DELETE_GROUPS"),
            create_dataset=_groups(env, "CREATE_DATASET_GROUPS", ALL_AUTHENTICATED),
            create_dataset_with_pid=_groups(env, "CREATE_DATASET_WITH_PID_GROUPS"),
            create_dataset_privileged=_groups(env, "CREATE_DATASET_PRIVILEGED_GROUPS"),
            proposal=_groups(env, "PROPOSAL_GROUPS"),
            sample=_groups(env, "SAMPLE_GROUPS", ALL_AUTHENTICATED),
            sample_privileged=_groups(env, "SAMPLE_PRIVILEGED_GROUPS"),
            attachment=_groups(env, "ATTACHMENT_GROUPS", ALL_AUTHENTICATED),
            attachment_privileged=_groups(env, "ATTACHMENT_PRIVILEGED_GROUPS"),
            create_job_privileged=_groups(env, "CREATE_JOB_PRIVILEGED_GROUPS"),
            update_job_privileged=_groups(env, "UPDATE_JOB_PRIVILEGED_GROUPS"),
            delete_job=_groups(env, "DELETE_JOB_GROUPS"),
            policy=_groups(env, "POLICY_GROUPS"),
            update_dataset_lifecycle=_groups(env, "UPDATE_DATASET_LIFECYCLE_GROUPS"),
            history={
                subsystem: _groups(env, f"HISTORY_ACCESS_{variable}_GROUPS")
                for subsystem, variable in HISTORY_GROUP_VARIABLES.items()
            },
        )


class Settings(BaseModel):
    """Everything the service reads from its environment."""

    model_config = ConfigDict(frozen=True)

    database_url: str
    jwt_secret: str
    pid_prefix: str = "undefined"
    functional_accounts_file: str = "functionalAccounts.json"
    jwt_expires_in: int = 3600
    max_body_bytes: int = 16 * 1024**2
    host: str = "0.0.0.0"
    port: int = 3000
    workers: int = 1
    database_pool_size: int = 8
    database_wait_seconds: float = 60.0
    groups: GroupSettings = GroupSettings()
    features: FeatureSettings = FeatureSettings()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            database_url=_required(env, "DATABASE_URL", "the libpq URL of the PostgreSQL database"),
            jwt_secret=_required(env, "JWT_SECRET", "the key that signs access tokens"),
            pid_prefix=env.get("PID_PREFIX", "undefined").rstrip("/") or "undefined",
            functional_accounts_file=env.get("FUNCTIONAL_ACCOUNTS_FILE")
            or "functionalAccounts.json",
            jwt_expires_in=_parsed(env, "JWT_EXPIRES_IN", int, 3600, "a number of seconds"),
            max_body_bytes=_parsed(
                env, "MAX_FILE_UPLOAD_SIZE", _size, 16 * 1024**2, "a size such as 16mb or 512kb"
            ),
            host=env.get("HOST") or "0.0.0.0",
            port=_port(env),
            workers=max(1, _parsed(env, "WEB_CONCURRENCY", int, 1, "a number of processes")),
            database_pool_size=max(
                1, _parsed(env, "DATABASE_POOL_SIZE", int, 8, "a number of connections")
            ),
            database_wait_seconds=_parsed(
                env, "DATABASE_WAIT_SECONDS", float, 60.0, "a number of seconds"
            ),
            groups=GroupSettings.from_env(env),
            features=FeatureSettings.from_env(env),
        )


def _port(env: Mapping[str, str]) -> int:
    port = _parsed(env, "PORT", int, 3000, "a TCP port (1-65535)")
    if not 1 <= port <= 65535:
        raise SettingsError(f"environment variable PORT must be a TCP port (1-65535), got {port}")
    return port
