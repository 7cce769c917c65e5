"""Bulk loads that run concurrently (the seeder loads proposals in parallel).

Each load is one READ COMMITTED transaction, so that its lookups see what other
loads committed meanwhile and take no gap locks. Loads of proposals that share
no people touch disjoint rows and never wait on each other. When two loads write
the same person or laboratory, the second waits for the first; if the database
then reports a deadlock, a lock wait timeout or a duplicate natural key (both
created the same person), the load is rolled back and run again, which finds the
other's rows and updates them. A load is idempotent, so a rerun is always safe.
Laboratories, which many proposals share, are created beforehand in a transaction
of their own (see ``people.ensure_laboratories``).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from ...errors import Conflict
from ...schemas.bulk import BulkProposal, BulkResult
from ...settings import Settings
from ..people import ensure_laboratories
from .loader import BulkLoader, people_of

log = logging.getLogger(__name__)

DEADLOCK = 1213
LOCK_WAIT_TIMEOUT = 1205
DUPLICATE_KEY = 1062
_COLLISIONS = {DEADLOCK, LOCK_WAIT_TIMEOUT, DUPLICATE_KEY}


def collision_code(error: DBAPIError) -> int | None:
    """The MySQL error code when ``error`` is a collision with a concurrent writer."""
    args = getattr(error.orig, "args", ())
    code = args[0] if args and isinstance(args[0], int) else None
    return code if code in _COLLISIONS else None


def load_proposal(
    factory: sessionmaker[Session],
    settings: Settings,
    payload: BulkProposal,
    *,
    attempts: int = 5,
    pause: float = 0.05,
    sleep: Callable[[float], None] = time.sleep,
) -> BulkResult:
    """Load and commit ``payload``, rerunning it when it collided with a concurrent load."""
    name = f"{payload.proposalCode}{payload.proposalNumber}"
    with factory.begin() as db:
        ensure_laboratories(db, people_of(payload))
    for attempt in range(1, attempts + 1):
        with factory() as db:
            db.connection(execution_options={"isolation_level": "READ COMMITTED"})
            try:
                result = BulkLoader(db, settings).load(payload)
                db.commit()
                return result
            except DBAPIError as error:
                code = collision_code(error)
                db.rollback()
                if code is None or (code == DUPLICATE_KEY and attempt == attempts):
                    raise  # a real constraint failure: answered as 409 naming the key
                if attempt == attempts:
                    raise Conflict(
                        f"loading {name} collided {attempts} times with concurrent loads "
                        "writing the same persons or laboratories; retry the request",
                        None,
                    ) from error
                log.info("load of %s collided (MySQL error %s), attempt %d", name, code, attempt)
        sleep(pause * attempt * (1 + random.random()))
    raise AssertionError("unreachable")  # the loop returns or raises
