"""The change feed's two tables (a scicatlive extension, beside ISPyB's schema).

``ChangeFeedHead`` is one row: the feed's ``epoch`` (a random id chosen when the
table is created, so that a follower notices a database that was replaced or
restored) and its ``position``, the last position handed out. ``ChangeFeed`` holds
one row per changed entity with the position of its latest change.
"""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

feed_metadata = MetaData()

HEAD_ID = 1

change_head = Table(
    "ChangeFeedHead",
    feed_metadata,
    Column("headId", Integer, primary_key=True, autoincrement=False),
    Column("epoch", String(32), nullable=False),
    Column("position", BigInteger, nullable=False),
    comment="scicatlive extension: the change feed's epoch and last position",
)

change_feed = Table(
    "ChangeFeed",
    feed_metadata,
    Column("entity", String(16), primary_key=True),
    Column("entityId", Integer, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
    Index("ix_ChangeFeed_position", "position"),
    comment="scicatlive extension: the position of each entity's latest change",
)


def create_feed_tables(engine: Engine) -> None:
    """Create the tables when missing and give a new feed its epoch."""
    feed_metadata.create_all(engine, checkfirst=True)
    with engine.begin() as connection:
        if connection.scalar(select(change_head.c.headId)) is not None:
            return
        try:
            connection.execute(
                insert(change_head).values(headId=HEAD_ID, epoch=uuid.uuid4().hex, position=0)
            )
        except IntegrityError:  # another instance created it at the same time
            pass
