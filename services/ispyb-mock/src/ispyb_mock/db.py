"""Engine, schema creation, the wait for a database that is still starting, and the
difference between "the database is down" and "the request is wrong"."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .errors import DatabaseUnavailable
from .models import metadata, schema_tables

log = logging.getLogger(__name__)

__all__ = ["DatabaseUnavailable", "create_schema", "make_engine", "wait_for_database"]


def make_engine(url: str, *, timeout: float = 0.8, pool_size: int = 20) -> Engine:
    """An engine that fails fast when the server is down.

    Connections time out after ``timeout`` seconds, a request never waits more than
    ``timeout`` for a pooled connection, and stale pooled connections are pinged
    before use, so a restarted server is picked up again by the next request.
    """
    options: dict[str, object] = {"pool_pre_ping": True, "pool_recycle": 3600}
    if make_url(url).get_backend_name() in ("mysql", "mariadb"):
        options |= {
            "connect_args": {"connect_timeout": timeout},
            "pool_size": pool_size,
            "max_overflow": pool_size,
            "pool_timeout": timeout,
        }
    return create_engine(url, **options)


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
    from .feed.schema import create_feed_tables  # the feed's own tables, beside ISPyB's

    metadata.create_all(engine, tables=schema_tables(), checkfirst=True)
    create_feed_tables(engine)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session per request: committed by the handler, rolled back on any error."""
    session = factory()
    try:
        yield session
    except Exception:
        try:
            session.rollback()
        except DBAPIError:  # the server is gone: there is nothing to roll back
            pass
        raise
    finally:
        session.close()
