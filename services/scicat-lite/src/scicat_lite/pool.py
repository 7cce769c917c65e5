"""Connections to PostgreSQL that fail fast while the server is gone and recover by themselves.

Requests never connect: they borrow from a pool and wait at most ``ACQUIRE_TIMEOUT``.
When a borrowed connection turns out broken (the server stopped or restarted), the
database is marked down: from then on every request fails at once with
:class:`DatabaseUnavailable` (a 503) instead of queueing on a pool that cannot grow,
and a monitor thread probes the server every ``PROBE_INTERVAL``. When a probe connects,
the schema is completed again, a fresh pool replaces the old one, and requests flow.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import ConnectionPool, PoolTimeout

from .db import migrate
from .jsoncodec import dumps, loads

log = logging.getLogger(__name__)

# JSONB in and out through orjson: every document crosses this boundary.
set_json_dumps(dumps)
set_json_loads(loads)

# How long a request may wait for a pooled connection. A healthy pool hands one out in
# microseconds to milliseconds even under load; the answer must come within 1 s.
ACQUIRE_TIMEOUT = 0.8
PROBE_INTERVAL = 0.5
# libpq's smallest connect timeout; only the monitor and pool workers ever connect.
CONNECT_TIMEOUT = 2
# Connection options that make a vanished server show up as an error, not a hang:
# unacknowledged data for 1 s, or an idle peer silent for ~9 s, drops the connection.
_LIVENESS: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT,
    "tcp_user_timeout": 1000,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 2,
}


class DatabaseUnavailable(RuntimeError):
    """PostgreSQL cannot be reached (at start-up: after the wait; later: right now)."""


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def wait_for_database(url: str, timeout: float) -> None:
    """Retry connecting until the server answers or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    delay = 0.25
    while True:
        try:
            with psycopg.connect(url, **_LIVENESS) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as error:
            if time.monotonic() >= deadline:
                raise DatabaseUnavailable(
                    f"PostgreSQL not reachable after {timeout:.0f}s "
                    f"(DATABASE_WAIT_SECONDS): {_first_line(error)}"
                ) from error
            log.info("waiting for PostgreSQL: %s", _first_line(error))
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


class Database:
    """A pool of connections handing out dict rows, with a circuit breaker."""

    def __init__(self, url: str, size: int) -> None:
        self._url = url
        self._size = size
        self._pool = self._new_pool()
        self._down_reason: str | None = None
        self._lock = threading.Lock()
        self._monitor: threading.Thread | None = None
        self._closed = threading.Event()

    def _new_pool(self) -> ConnectionPool[Any]:
        return ConnectionPool(
            self._url,
            min_size=1,
            max_size=self._size,
            kwargs={"row_factory": dict_row, "autocommit": False, **_LIVENESS},
            # The pool's own reconnection backs off for minutes; the monitor replaces it.
            reconnect_timeout=5.0,
            open=False,
        )

    def open(self) -> None:
        self._pool.open(wait=True, timeout=30)
        with self._pool.connection() as conn:
            migrate(conn)

    def close(self) -> None:
        self._closed.set()
        self._pool.close()
        if self._monitor is not None:
            self._monitor.join(timeout=5)

    @property
    def down(self) -> bool:
        return self._down_reason is not None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection inside a transaction, committed on success; 503 when unavailable."""
        if self._down_reason is not None:
            raise DatabaseUnavailable(f"database unavailable: {self._down_reason}")
        pool = self._pool
        try:
            conn = pool.getconn(timeout=ACQUIRE_TIMEOUT)
        except PoolTimeout as error:
            self._check_soon()
            raise DatabaseUnavailable(
                f"no database connection within {ACQUIRE_TIMEOUT}s"
            ) from error
        try:
            with conn:
                yield conn
        except psycopg.OperationalError as error:
            if conn.broken or conn.closed:
                self._mark_down(_first_line(error))
                raise DatabaseUnavailable(f"database unavailable: {_first_line(error)}") from error
            raise
        finally:
            pool.putconn(conn)

    def healthy(self) -> bool:
        """One round trip within ``ACQUIRE_TIMEOUT``; False at once while marked down."""
        try:
            with self.connection() as conn:
                conn.execute("SELECT 1")
        except (DatabaseUnavailable, psycopg.Error):
            return False
        return True

    # -- the breaker ------------------------------------------------------------------

    def _mark_down(self, reason: str) -> None:
        with self._lock:
            if self._down_reason is None:
                log.warning("PostgreSQL unavailable, answering 503 until it returns: %s", reason)
            self._down_reason = reason
        self._check_soon()

    def _check_soon(self) -> None:
        """Start the monitor unless one runs (a pool timeout may mean a dead server)."""
        with self._lock:
            if self._closed.is_set() or (self._monitor is not None and self._monitor.is_alive()):
                return
            self._monitor = threading.Thread(
                target=self._watch, name="scicat-lite-db-monitor", daemon=True
            )
            self._monitor.start()

    def _probe(self) -> str | None:
        """None when the server answers; otherwise why not."""
        try:
            with psycopg.connect(self._url, **_LIVENESS) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as error:
            return _first_line(error)
        return None

    def _watch(self) -> None:
        while not self._closed.is_set():
            reason = self._probe()
            if reason is None:
                if self.down:
                    self._recover()
                if not self.down:
                    return
            else:
                with self._lock:
                    if self._down_reason is None:
                        log.warning("PostgreSQL unavailable: %s", reason)
                    self._down_reason = reason
            self._closed.wait(PROBE_INTERVAL)

    def _recover(self) -> None:
        """A fresh pool (and the schema completed, in case the database is new)."""
        fresh = self._new_pool()
        try:
            fresh.open(wait=True, timeout=CONNECT_TIMEOUT * 2)
            with fresh.connection() as conn:
                migrate(conn)
        except (psycopg.Error, PoolTimeout) as error:
            log.warning("PostgreSQL answered but the pool could not open: %s", error)
            fresh.close(timeout=0)
            return
        old, self._pool = self._pool, fresh
        with self._lock:
            self._down_reason = None
        log.info("PostgreSQL is back; serving requests again")
        old.close(timeout=1)
