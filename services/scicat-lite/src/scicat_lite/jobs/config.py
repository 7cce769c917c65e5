"""The job configuration file (``JOB_CONFIGURATION_FILE``), in the backend's format.

``configVersion`` plus ``jobs``: each job type has ``create`` and ``update``, each with
an ``auth`` value and a list of ``actions`` (see ``jobConfig.example.yaml`` at v5.2.1).
Everything is checked when the service starts; a mistake is one message naming the
file and the place, and the service exits with the configuration error code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .actions import (
    ActionConfigError,
    Context,
    ErrorAction,
    JobAction,
    LogAction,
    Options,
    UrlAction,
    ValidateAction,
    require,
    template,
)
from .messaging import Broker, Mailer
from .switch import SwitchAction


class JobConfigError(ValueError):
    """The job configuration file is missing or invalid; the message says where."""


class RabbitMQAction:
    action_type = "rabbitmq"

    def __init__(self, options: Options, broker: Broker) -> None:
        self._exchange = require(options, "exchange", str, "rabbitmq")
        self._queue = require(options, "queue", str, "rabbitmq")
        self._key = require(options, "key", str, "rabbitmq")
        self._broker = broker

    def validate(self, context: Context) -> None:
        return None

    def perform(self, context: Context) -> None:
        body = json.dumps(context["job"], separators=(",", ":"), ensure_ascii=False)
        self._broker.publish(self._queue, self._exchange, self._key, body.encode())


class EmailAction:
    action_type = "email"

    def __init__(self, options: Options, mailer: Mailer) -> None:
        for key in ("to", "subject", "bodyTemplateFile"):
            require(options, key, str, "email")
        self._from = require(options, "from", str, "email", optional=True)
        self._ignore_errors = bool(require(options, "ignoreErrors", bool, "email", optional=True))
        self._to = template(options, "to", "email")
        self._subject = template(options, "subject", "email")
        body_file = Path(options["bodyTemplateFile"])
        try:
            source = body_file.read_text(encoding="utf-8")
        except OSError as error:
            raise ActionConfigError(
                f"email.bodyTemplateFile: cannot read {body_file}: {error.strerror}"
            ) from error
        self._body = template({"bodyTemplateFile": source}, "bodyTemplateFile", "email")
        self._mailer = mailer

    def validate(self, context: Context) -> None:
        return None

    def perform(self, context: Context) -> None:
        try:
            to, subject, html = self._to(context), self._subject(context), self._body(context)
        except Exception:
            if self._ignore_errors:
                return
            raise
        self._mailer.send(to, subject, html, self._from)


@dataclass(frozen=True)
class JobOperation:
    auth: str | None
    actions: tuple[JobAction, ...]


@dataclass(frozen=True)
class JobType:
    job_type: str
    config_version: str
    create: JobOperation
    update: JobOperation


@dataclass(frozen=True)
class JobServices:
    """What actions need from outside: the broker (None when RabbitMQ is off) and mail."""

    broker: Broker | None
    mailer: Mailer


@dataclass
class JobConfiguration:
    types: dict[str, JobType] = field(default_factory=dict)

    def get(self, job_type: Any) -> JobType | None:
        return self.types.get(job_type) if isinstance(job_type, str) else None


class _Builder:
    def __init__(self, path: Path, services: JobServices) -> None:
        self.path = path
        self.services = services

    def action(self, options: Any, where: str, *, on_create: bool) -> JobAction:
        if not isinstance(options, dict) or not isinstance(options.get("actionType"), str):
            raise ActionConfigError(f"{where}: every action needs an actionType")
        kind = options["actionType"]
        try:
            return self._create(kind, options, on_create)
        except ActionConfigError as error:
            raise ActionConfigError(f"{where}: {error}") from error

    def _create(self, kind: str, options: Options, on_create: bool) -> JobAction:
        if kind == "log":
            return LogAction(options)
        if kind == "error":
            return ErrorAction(options)
        if kind == "url":
            return UrlAction(options)
        if kind == "validate":
            return ValidateAction(options, on_create=on_create)
        if kind == "email":
            return EmailAction(options, self.services.mailer)
        if kind == "switch":
            return SwitchAction(
                options, lambda opts, where: self.action(opts, where, on_create=on_create)
            )
        if kind == "rabbitmq":
            if self.services.broker is None:
                raise ActionConfigError(
                    "Action type rabbitmq wasn't correctly initialized: RabbitMQ is not "
                    "enabled (set RABBITMQ_ENABLED=yes and RABBITMQ_HOSTNAME, RABBITMQ_PORT, "
                    "RABBITMQ_USERNAME, RABBITMQ_PASSWORD)"
                )
            return RabbitMQAction(options, self.services.broker)
        raise ActionConfigError(f"Unknown action type {kind}")

    def operation(self, raw: Any, where: str, *, on_create: bool) -> JobOperation:
        if not isinstance(raw, dict):
            raise ActionConfigError(
                f"{where} is required and must be an object with auth and actions"
            )
        auth = raw.get("auth")
        if auth is not None and not isinstance(auth, str):
            raise ActionConfigError(f"{where}.auth must be a string")
        actions = raw.get("actions") or []
        if not isinstance(actions, list):
            raise ActionConfigError(f"{where}.actions must be a list")
        return JobOperation(
            auth,
            tuple(
                self.action(a, f"{where}.actions[{i}]", on_create=on_create)
                for i, a in enumerate(actions)
            ),
        )


def load_job_configuration(path: str | None, services: JobServices) -> JobConfiguration:
    """Read and check the file; no path means no job types (every create is a 400)."""
    if not path:
        return JobConfiguration()
    file = Path(path)
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise JobConfigError(
            f"{path}: cannot read the job configuration: {error.strerror}"
        ) from error
    except yaml.YAMLError as error:
        raise JobConfigError(f"{path}: not valid YAML or JSON: {error}") from error
    if not isinstance(raw, dict):
        raise JobConfigError(f"{path}: must be a mapping with configVersion and jobs")
    version, jobs = raw.get("configVersion"), raw.get("jobs")
    if not isinstance(version, str):
        raise JobConfigError(f"{path}: configVersion is required and must be a string")
    if not isinstance(jobs, list):
        raise JobConfigError(f"{path}: jobs is required and must be a list")
    builder = _Builder(file, services)
    config = JobConfiguration()
    for index, entry in enumerate(jobs):
        where = f"jobs[{index}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("jobType"), str):
            raise JobConfigError(f"{path}: {where}.jobType is required and must be a string")
        job_type = entry["jobType"]
        if job_type in config.types:
            raise JobConfigError(f"{path}: Duplicate job type {job_type}")
        try:
            config.types[job_type] = JobType(
                job_type,
                version,
                builder.operation(entry.get("create"), f"{where}.create", on_create=True),
                builder.operation(entry.get("update"), f"{where}.update", on_create=False),
            )
        except ActionConfigError as error:
            raise JobConfigError(f"{path}: {error} (job type {job_type})") from error
    return config
