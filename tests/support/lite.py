"""The lite stack's two APIs served in-process: scicat-lite and the ISPyB mock, on scratch databases.

They are configured from the environment as their containers are (the same
variables, the accounts files a stack generates), so a test here exercises the
same start-up path as ``scicatlive up``, minus Docker.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from scicatlive.defaults import DEFAULT_PID_PREFIX, DEFAULT_SITE
from tests.support.accounts import ProfileAccount, accounts_file, ispyb_users_file
from tests.support.databases import scratch_mariadb, scratch_postgres
from tests.support.servers import serve_app


def scicat_lite_environment() -> dict[str, str]:
    """The group settings of scicat-lite's catalogue entry (services/scicat-lite/service.yaml)."""
    from scicatlive.catalogue.loader import default_catalogue

    definition = default_catalogue().get("scicat-lite").definition
    return {key: value for key, value in definition.environment.items() if "${" not in value}


@contextmanager
def scicat_lite(
    postgres_server: str,
    folder: Path,
    accounts: tuple[ProfileAccount, ...],
    passwords: Mapping[str, str],
    **environment: str,
) -> Iterator[str]:
    """scicat-lite on a scratch PostgreSQL database, served on loopback; yields its URL."""
    from scicat_lite.app import create_app
    from scicat_lite.settings import Settings

    with scratch_postgres(postgres_server, "scicat") as database:
        settings = Settings.from_env({
            **scicat_lite_environment(),
            "DATABASE_URL": database,
            "JWT_SECRET": secrets.token_hex(16),
            "PID_PREFIX": DEFAULT_PID_PREFIX,
            "FUNCTIONAL_ACCOUNTS_FILE": str(accounts_file(folder / "functionalAccounts.json", accounts, passwords)),
            **environment,
        })  # fmt: skip
        with serve_app(create_app(settings)) as url:
            yield url


@contextmanager
def ispyb_mock(
    mariadb_server: str,
    folder: Path,
    accounts: tuple[ProfileAccount, ...],
    passwords: Mapping[str, str],
    **environment: str,
) -> Iterator[str]:
    """The ISPyB mock on a scratch MariaDB database, served on loopback; yields its URL."""
    from ispyb_mock.app import create_app
    from ispyb_mock.db import create_schema, make_engine
    from ispyb_mock.settings import Settings

    with scratch_mariadb(mariadb_server, "ispyb") as database:
        settings = Settings.from_env({
            "DATABASE_URL": database,
            "JWT_SECRET": secrets.token_hex(24),
            "ISPYB_USERS_FILE": str(ispyb_users_file(folder / "users.json", accounts, passwords)),
            "ISPYB_SITE": DEFAULT_SITE,
            **environment,
        })  # fmt: skip
        engine = make_engine(settings.database_url)
        try:
            create_schema(engine)
            with serve_app(create_app(settings, engine)) as url:
                yield url
        finally:
            engine.dispose()
