"""Reading the change feed: what changed after a cursor, oldest first.

A cursor is ``<position>`` (everything after that position) or
``<position>:<type>:<id>`` (continue after that entity within its position). Pages are
keyset pages on (position, type, id): an entity that changes again while a follower
pages moves to a later position, where the follower meets it again; nothing a
follower has not seen can land behind its cursor, because positions are drawn in
commit order (see ``tracking``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from ..access import visible
from ..auth import CurrentUser
from ..errors import RuleViolation
from ..models import AutoProcProgram, BLSession, DataCollection, DataCollectionGroup, Proposal
from .schema import HEAD_ID, change_feed, change_head
from .tracking import DATA_COLLECTION, ENTITY_TYPES, PROCESSING, SESSION

_CURSOR = re.compile(r"^(?P<position>\d+)(?::(?P<type>[a-z]+):(?P<id>\d+))?$")


@dataclass(frozen=True)
class Cursor:
    position: int
    type: str = ""  # "" sorts before every type: the whole position is still to come
    id: int = 0

    @classmethod
    def parse(cls, raw: str) -> Cursor:
        match = _CURSOR.match(raw)
        if match is None or (match["type"] and match["type"] not in ENTITY_TYPES):
            raise RuleViolation(
                f"after {raw!r} is not a cursor: give a position (e.g. 0) or the 'next' "
                f"of a previous page (<position>:<{'|'.join(ENTITY_TYPES)}>:<id>)",
                "after",
            )
        return cls(int(match["position"]), match["type"] or "", int(match["id"] or 0))

    def __str__(self) -> str:
        return f"{self.position}:{self.type}:{self.id}" if self.type else str(self.position)


def head(db: Session) -> tuple[str, int]:
    """The feed's epoch and its last position."""
    row = db.execute(
        select(change_head.c.epoch, change_head.c.position).where(change_head.c.headId == HEAD_ID)
    ).one()
    return str(row.epoch), int(row.position)


def _kind(kind: str, user: CurrentUser) -> Select[Any]:
    """The feed rows of one entity type with their session, collection and proposal."""
    feed = change_feed
    if kind == SESSION:
        query = select(
            feed.c.position, feed.c.entity, feed.c.entityId, BLSession.sessionId,
            literal(None).label("dataCollectionId"),
        ).join(BLSession, BLSession.sessionId == feed.c.entityId)  # fmt: skip
    elif kind == DATA_COLLECTION:
        query = (
            select(
                feed.c.position,
                feed.c.entity,
                feed.c.entityId,
                BLSession.sessionId,
                DataCollection.dataCollectionId,
            )  # fmt: skip
            .join(DataCollection, DataCollection.dataCollectionId == feed.c.entityId)
            .join(DataCollection.DataCollectionGroup)
            .join(DataCollectionGroup.BLSession)
        )
    else:
        query = (
            select(
                feed.c.position,
                feed.c.entity,
                feed.c.entityId,
                BLSession.sessionId,
                DataCollection.dataCollectionId,
            )  # fmt: skip
            .join(AutoProcProgram, AutoProcProgram.autoProcProgramId == feed.c.entityId)
            .join(AutoProcProgram.DataCollection)
            .join(DataCollection.DataCollectionGroup)
            .join(DataCollectionGroup.BLSession)
        )
    query = query.add_columns(BLSession.proposalId)
    return query.where(feed.c.entity == kind, visible(user, BLSession.proposalId))


def read_changes(
    db: Session, user: CurrentUser, after: Cursor, kinds: tuple[str, ...], limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """How many changes follow the cursor, and the first ``limit`` of them."""
    later = or_(
        change_feed.c.position > after.position,
        and_(
            change_feed.c.position == after.position,
            tuple_(change_feed.c.entity, change_feed.c.entityId) > tuple_(after.type, after.id),
        ),
    )
    union = union_all(*(_kind(kind, user).where(later) for kind in kinds)).subquery()
    total = db.scalar(select(func.count()).select_from(union)) or 0
    rows = db.execute(
        select(union, Proposal.proposalCode, Proposal.proposalNumber)
        .join(Proposal, Proposal.proposalId == union.c.proposalId)
        .order_by(union.c.position, union.c.entity, union.c.entityId)
        .limit(limit)
    ).mappings()
    return total, [
        {
            "position": row["position"],
            "type": row["entity"],
            "id": row["entityId"],
            "sessionId": row["sessionId"],
            "dataCollectionId": row["dataCollectionId"],
            "autoProcProgramId": row["entityId"] if row["entity"] == PROCESSING else None,
            "proposal": f"{row['proposalCode']}{row['proposalNumber']}",
        }
        for row in rows
    ]
