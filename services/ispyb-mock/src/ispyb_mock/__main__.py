"""``python -m ispyb_mock``: wait for the database, create the schema, serve.

Start-up failures print one line, ``ispyb-mock: <message>``, on stderr: exit 2 for a
configuration error (a variable, the users file), 1 for a database still unreachable
after ``DATABASE_WAIT_SECONDS``.
"""

from __future__ import annotations

import logging
import sys

from .settings import Settings, SettingsError
from .users import Accounts, UsersFileError

SERVICE = "ispyb-mock"


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env()
        accounts = Accounts.load(settings.users_file)
    except (SettingsError, UsersFileError) as error:
        print(f"{SERVICE}: {error}", file=sys.stderr)
        return 2
    # Imported once the configuration is known good: the ISPyB models take seconds.
    import uvicorn
    from sqlalchemy.exc import OperationalError

    from .app import create_app
    from .db import DatabaseUnavailable, create_schema, make_engine, wait_for_database

    engine = make_engine(
        settings.database_url,
        timeout=settings.database_timeout_seconds,
        pool_size=settings.database_pool_size,
    )
    try:
        wait_for_database(engine, settings.database_wait_seconds)
        create_schema(engine)
    except (DatabaseUnavailable, OperationalError) as error:
        print(f"{SERVICE}: {error}", file=sys.stderr)
        return 1
    uvicorn.run(create_app(settings, engine, accounts), host=settings.host, port=settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
