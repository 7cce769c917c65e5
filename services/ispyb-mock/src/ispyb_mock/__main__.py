"""``python -m ispyb_mock``: wait for the database, create the schema, serve."""

from __future__ import annotations

import logging
import sys

import uvicorn

from .app import create_app
from .db import DatabaseUnavailable, create_schema, make_engine, wait_for_database
from .settings import Settings, SettingsError
from .users import UsersFileError

log = logging.getLogger("ispyb_mock")


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env()
        engine = make_engine(settings.database_url)
        wait_for_database(engine, settings.database_wait_seconds)
        create_schema(engine)
        app = create_app(settings, engine)
    except (SettingsError, UsersFileError, DatabaseUnavailable) as error:
        log.error("%s", error)
        return 1
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
