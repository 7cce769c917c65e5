"""Data collection groups and data collections."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..auth import CurrentUser
from ..errors import Conflict, RuleViolation
from ..models import BLSample, BLSession, DataCollection, DataCollectionGroup
from ..schemas.datacollections import (
    DataCollectionCreate,
    DataCollectionFields,
    DataCollectionKey,
    GroupCreate,
)
from .common import assign, fields
from .lookup import get_visible, proposal_of


def create_group(db: Session, user: CurrentUser, payload: GroupCreate) -> DataCollectionGroup:
    session = get_visible(db, user, BLSession, payload.sessionId, "sessionId")
    sample = get_visible(db, user, BLSample, payload.blSampleId, "blSampleId")
    if proposal_of(db, BLSample, sample.blSampleId) != session.proposalId:
        raise RuleViolation("the sample belongs to another proposal than the session", "blSampleId")
    group = DataCollectionGroup(**fields(payload))
    db.add(group)
    db.flush()
    return group


def find_collection(db: Session, group_id: int, key: DataCollectionKey) -> DataCollection | None:
    return db.scalar(
        select(DataCollection).where(
            DataCollection.dataCollectionGroupId == group_id,
            DataCollection.imageDirectory == key.imageDirectory,
            DataCollection.imagePrefix == key.imagePrefix,
            DataCollection.dataCollectionNumber == key.dataCollectionNumber,
        )
    )


def fill_collection(
    collection: DataCollection, group: DataCollectionGroup, payload: DataCollectionFields
) -> None:
    """Copy the fields; the sample and session repeat the group's (ESRF columns)."""
    assign(collection, fields(payload, exclude={"dataCollectionGroupId", "autoProcPrograms"}))
    collection.dataCollectionGroupId = group.dataCollectionGroupId
    collection.blSampleId = group.blSampleId
    collection.sessionId = group.sessionId


def create_collection(
    db: Session, user: CurrentUser, payload: DataCollectionCreate
) -> DataCollection:
    group = get_visible(
        db, user, DataCollectionGroup, payload.dataCollectionGroupId, "dataCollectionGroupId"
    )
    if find_collection(db, group.dataCollectionGroupId, payload) is not None:
        raise Conflict(
            f"run {payload.dataCollectionNumber} of {payload.imageDirectory}{payload.imagePrefix} "
            "already exists in this group",
            "dataCollectionNumber",
        )
    collection = DataCollection()
    fill_collection(collection, group, payload)
    db.add(collection)
    db.flush()
    return collection
