"""Record, in the writing transaction itself, which sessions, data collections and
processing runs it changed.

Every ORM flush notes the changed rows; just before commit the transaction takes
the feed head's row lock, draws the next position and stamps its entities with it.
The lock is held until the commit, so positions are handed out in commit order: a
reader that has seen position ``p`` can never later meet a commit below ``p``,
which is what lets a follower resume from the last position it recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.orm import Session, sessionmaker

from ..models import (
    AutoProc,
    AutoProcIntegration,
    AutoProcProgram,
    AutoProcProgramAttachment,
    BLSession,
    DataCollection,
    DataCollectionGroup,
    SessionHasPerson,
    Workflow,
)
from .schema import HEAD_ID, change_feed, change_head

SESSION = "session"
DATA_COLLECTION = "dc"
PROCESSING = "processing"
ENTITY_TYPES = (SESSION, DATA_COLLECTION, PROCESSING)

_PENDING = "scicatlive_feed_pending"
_GROUPS = "scicatlive_feed_groups"
_WORKFLOWS = "scicatlive_feed_workflows"


def _entities(row: Any) -> Iterable[tuple[str, int]]:
    """The feed entities a changed ORM row stands for."""
    if isinstance(row, BLSession):
        yield SESSION, row.sessionId
    elif isinstance(row, SessionHasPerson):
        yield SESSION, row.sessionId
    elif isinstance(row, DataCollection):
        yield DATA_COLLECTION, row.dataCollectionId
    elif isinstance(row, AutoProcProgram):
        yield PROCESSING, row.autoProcProgramId
    elif isinstance(row, AutoProc | AutoProcIntegration | AutoProcProgramAttachment):
        if row.autoProcProgramId is not None:
            yield PROCESSING, row.autoProcProgramId


def _note(session: Session, flush_context: Any) -> None:
    pending: set[tuple[str, int]] = session.info.setdefault(_PENDING, set())
    groups: set[int] = session.info.setdefault(_GROUPS, set())
    workflows: set[int] = session.info.setdefault(_WORKFLOWS, set())
    for row in (*session.new, *session.dirty):
        if row in session.dirty and not session.is_modified(row):
            continue
        if isinstance(row, DataCollectionGroup):
            groups.add(row.dataCollectionGroupId)  # its collections changed with it
        elif isinstance(row, Workflow):
            workflows.add(row.workflowId)  # so did the collections of its groups
        pending.update((kind, key) for kind, key in _entities(row) if key is not None)


def note_processing(session: Session, program_ids: Iterable[int]) -> None:
    """Feed processing runs whose rows were written past the ORM (bulk inserts, which no flush sees)."""
    pending: set[tuple[str, int]] = session.info.setdefault(_PENDING, set())
    pending.update((PROCESSING, key) for key in program_ids)


def _stamp(session: Session) -> None:
    session.flush()
    pending: set[tuple[str, int]] = session.info.pop(_PENDING, set())
    groups: set[int] = session.info.pop(_GROUPS, set())
    workflows: set[int] = session.info.pop(_WORKFLOWS, set())
    if groups or workflows:
        pending.update(
            (DATA_COLLECTION, dc_id)
            for dc_id in session.scalars(
                select(DataCollection.dataCollectionId)
                .join(DataCollection.DataCollectionGroup)
                .where(
                    DataCollectionGroup.dataCollectionGroupId.in_(groups)
                    | DataCollectionGroup.workflowId.in_(workflows)
                )
            )
        )
    if not pending:
        return
    position = session.scalar(
        select(change_head.c.position).where(change_head.c.headId == HEAD_ID).with_for_update()
    )
    if position is None:  # the feed tables were not created: nothing to stamp
        return
    position += 1
    session.execute(
        update(change_head).where(change_head.c.headId == HEAD_ID).values(position=position)
    )
    rows = [{"entity": kind, "entityId": key, "position": position} for kind, key in pending]
    statement = mysql_insert(change_feed)
    session.execute(statement.on_duplicate_key_update(position=statement.inserted.position), rows)


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_GROUPS, None)
    session.info.pop(_WORKFLOWS, None)


def install_change_tracking(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Make every session of ``factory`` feed the change log; returns ``factory``."""
    event.listen(factory, "after_flush", _note)
    event.listen(factory, "before_commit", _stamp)
    event.listen(factory, "after_rollback", _forget)
    return factory
