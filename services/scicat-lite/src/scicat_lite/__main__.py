"""``python -m scicat_lite``: check the configuration, wait for PostgreSQL, serve."""

from __future__ import annotations

import logging
import sys

import uvicorn
from fastapi import FastAPI

from .app import create_app
from .features import build_features
from .identity.accounts import AccountsFileError, read_accounts
from .jobs.config import JobConfigError
from .jobs.messaging import BrokerUnavailable
from .pool import DatabaseUnavailable, wait_for_database
from .runtime_config import ConfigFileError, read_config_files
from .settings import Settings, SettingsError
from .wire import OneWriteProtocol

SERVICE = "scicat-lite"
EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1


def app_from_env() -> FastAPI:
    """The app for each worker process when ``WEB_CONCURRENCY`` > 1."""
    return create_app(Settings.from_env())


def _fail(message: object, code: int) -> int:
    print(f"{SERVICE}: {message}", file=sys.stderr)
    return code


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env()
        accounts = read_accounts(settings.functional_accounts_file)
        configs = read_config_files(settings)
    except (SettingsError, AccountsFileError, ConfigFileError) as error:
        return _fail(error, EXIT_CONFIG)
    try:
        features = build_features(settings, connect=False)
    except JobConfigError as error:
        return _fail(error, EXIT_CONFIG)
    try:
        wait_for_database(settings.database_url, settings.database_wait_seconds)
        features.connect(settings.database_wait_seconds)
    except (DatabaseUnavailable, BrokerUnavailable) as error:
        return _fail(error, EXIT_UNREACHABLE)
    # uvicorn's own convention. Measured here: two workers answer keep-alive requests
    # in ~45 ms instead of ~2 ms, so the default stays one.
    if settings.workers > 1:
        features.close()  # each worker process builds its own
        uvicorn.run(
            "scicat_lite.__main__:app_from_env",
            factory=True,
            workers=settings.workers,
            host=settings.host,
            port=settings.port,
            proxy_headers=False,
            access_log=False,
            http=OneWriteProtocol,
        )
    else:
        app = create_app(settings, accounts=accounts, configs=configs, features=features)
        # No access log: a line per request costs more CPU than a create itself.
        uvicorn.run(
            app, host=settings.host, port=settings.port, proxy_headers=False, access_log=False,
            http=OneWriteProtocol,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
