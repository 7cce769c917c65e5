"""The optional machinery behind jobs, published data and history, built once at start-up.

:func:`build_features` reads the job configuration file and, with ``RABBITMQ_ENABLED=yes``,
connects to the broker; a bad file is a configuration error (exit 2), a broker that stays
unreachable a dependency error (exit 1), as ``__main__`` reports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from .auth import User
from .identity.store import find_user, token_groups
from .jobs.access import JobAccess
from .jobs.config import JobServices, load_job_configuration
from .jobs.messaging import Broker, Mailer
from .jobs.service import JobSystem
from .settings import Settings


@dataclass
class Features:
    jobs: JobSystem
    broker: Broker | None

    def connect(self, wait_seconds: float) -> None:
        """Connect the broker (when RabbitMQ is enabled), waiting as for the database."""
        if self.broker is not None:
            self.broker.connect(wait_seconds)

    def close(self) -> None:
        if self.broker is not None:
            self.broker.close()


def user_named(conn: psycopg.Connection, username: str) -> User | None:
    """A stored user (functional, LDAP or OIDC) with the groups a token of theirs carries."""
    doc = find_user(conn, [("username", username)])
    if doc is None:
        return None
    return User(
        id=doc["_id"],
        username=doc.get("username") or username,
        email=doc.get("email") or "",
        groups=token_groups(conn, doc["_id"]),
        auth_strategy=doc.get("authStrategy") or "local",
    )


def build_features(settings: Settings, *, connect: bool = True) -> Features:
    """Load the job configuration and (unless ``connect`` is false) connect the broker."""
    options = settings.features
    broker = Broker(options.rabbitmq) if options.rabbitmq is not None else None
    services = JobServices(broker=broker, mailer=Mailer(options.mail))
    config = load_job_configuration(options.job_configuration_file, services)
    if broker is not None and connect:
        broker.connect(settings.database_wait_seconds)
    groups = settings.groups
    access = JobAccess(
        config,
        admin=groups.admin,
        create_privileged=groups.create_job_privileged,
        update_privileged=groups.update_job_privileged,
        delete=groups.delete_job,
    )
    jobs = JobSystem(
        config=config,
        access=access,
        services=services,
        default_status_code=options.job_default_status_code,
        default_status_message=options.job_default_status_message,
        find_user=user_named,
    )
    return Features(jobs=jobs, broker=broker)
