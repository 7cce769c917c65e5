"""Engine, schema creation and the wait for a database that is still starting."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .models import metadata, schema_tables

log = logging.getLogger(__name__)


class DatabaseUnavailable(RuntimeError):
    """The database did not answer before the deadline."""


def make_engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True, pool_recycle=3600)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def wait_for_database(
    engine: Engine,
    timeout: float,
    *,
    interval: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Return once ``SELECT 1`` succeeds; retry until ``timeout`` seconds have passed."""
    deadline = clock() + timeout
    attempt = 0
    while True:
        attempt += 1
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except OperationalError as error:
            if clock() >= deadline:
                raise DatabaseUnavailable(
                    f"database not reachable after {attempt} attempts: {error.orig}"
                ) from error
            log.info("database not ready (attempt %d): %s", attempt, error.orig)
            sleep(interval)


def create_schema(engine: Engine) -> None:
    """Create the missing ISPyB tables and keys; existing tables are left as they are."""
    metadata.create_all(engine, tables=schema_tables(), checkfirst=True)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session per request: committed by the handler, rolled back on any error."""
    session = factory()
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
