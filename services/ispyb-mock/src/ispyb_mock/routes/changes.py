"""``GET /changes``: new or changed sessions, data collections and processing results
after a recorded cursor (scicatlive extension; see ``feed/``)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ..deps import MAX_LIMIT, Db, User
from ..feed.reader import Cursor, head, read_changes
from ..feed.tracking import ENTITY_TYPES
from ..schemas.changes import Change, ChangePage

router = APIRouter(tags=["changes (scicatlive extension)"])


@router.get("/changes", response_model=ChangePage)
def list_changes(
    db: Db,
    user: User,
    after: Annotated[str, Query(description="0, or the 'next' of the previous page")] = "0",
    type: Annotated[  # noqa: A002 - the field's name in every change
        list[Literal["session", "dc", "processing"]] | None,
        Query(description="Only these entity types (repeatable)"),
    ] = None,
    limit: Annotated[int, Query(gt=0, le=MAX_LIMIT)] = 100,
) -> ChangePage:
    """Each entity (session, data collection, processing run) that changed after the
    cursor, once, at the position of its latest change, oldest first. A follower
    stores ``next`` after handling a page and asks again with ``after=next``; when
    ``epoch`` differs from the one it recorded, the database was replaced and it
    starts again from ``0``."""
    cursor = Cursor.parse(after)
    kinds = tuple(type) if type else ENTITY_TYPES
    epoch, last = head(db)
    total, rows = read_changes(db, user, cursor, kinds, limit)
    changes = [Change.model_validate(row) for row in rows]
    following = (
        Cursor(changes[-1].position, changes[-1].type, changes[-1].id) if changes else cursor
    )
    if not changes and cursor.position < last and total == 0:
        following = Cursor(last)  # nothing visible to this user up to the head
    return ChangePage(
        total=total,
        results=changes,
        skip=0,
        limit=limit,
        next=str(following),
        head=last,
        epoch=epoch,
    )
