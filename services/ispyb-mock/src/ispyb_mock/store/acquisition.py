"""Data collection groups and data collections, written by MXCuBE or by the own API,
under ISPyB's rules.

A collection belongs to a session and to a sample of that session's proposal. A
group's sample is named (``blSampleId``, ``sample_reference.blSampleId``) or found
from where the robot took it: the puck slot in the beamline's sample changer and
the position in the puck. Writes need the session's proposal to be writable by the
caller (see ``access.require_acquirer``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import rules
from ..access import require_acquirer
from ..auth import CurrentUser
from ..errors import Conflict, RuleViolation, UnknownReference
from ..models import (
    BLSample,
    BLSession,
    Container,
    DataCollection,
    DataCollectionGroup,
    Detector,
    Dewar,
    Shipping,
)
from .common import assign
from .lookup import get_visible, proposal_of


@dataclass(frozen=True)
class Names:
    """How the request names what an error is about."""

    session: str = "sessionId"
    group: str = "group_id"
    sample: str = "sample_reference.blSampleId"
    collection: str = "collection_id"
    run: str = "fileinfo.run_number"
    container_slot: str = "actualContainerSlotInSC"
    sample_slot: str = "actualSampleSlotInContainer"


@dataclass
class GroupWrite:
    session_id: int | None
    group_id: int | None = None
    sample_id: int | None = None
    container_slot: int | None = None
    sample_slot: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    names: Names = Names()


@dataclass
class CollectionWrite:
    session_id: int | None
    group_id: int | None
    sample_id: int | None = None
    collection_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    names: Names = Names()


def writable_session(
    db: Session, user: CurrentUser, session_id: int | None, name: str
) -> BLSession:
    if session_id is None:
        raise RuleViolation(f"{name} is required: the session (visit) being collected in", name)
    session = get_visible(db, user, BLSession, session_id, name)
    require_acquirer(db, user, session.proposalId)
    return session


def sample_of_session(
    db: Session, user: CurrentUser, session: BLSession, sample_id: int, name: str
) -> BLSample:
    sample = get_visible(db, user, BLSample, sample_id, name)
    if proposal_of(db, BLSample, sample_id) != session.proposalId:
        raise RuleViolation(
            f"sample {sample_id} belongs to another proposal than session {session.sessionId}",
            name,
        )
    return sample


def sample_at(
    db: Session, session: BLSession, slot: int, position: int, slot_name: str, position_name: str
) -> BLSample:
    """The sample at ``position`` of the session's puck in ``slot`` of its beamline's changer."""
    container = db.scalar(
        select(Container)
        .join(Container.Dewar)
        .join(Dewar.Shipping)
        .where(
            Shipping.proposalId == session.proposalId,
            Container.beamlineLocation == session.beamLineName,
            Container.sampleChangerLocation == str(slot),
        )
        .order_by((Dewar.dewarStatus == "processing").desc(), Container.containerId.desc())
        .limit(1)
    )
    if container is None:
        raise RuleViolation(
            f"no puck of the session's proposal is in slot {slot} of the "
            f"{session.beamLineName} sample changer",
            slot_name,
        )
    sample = db.scalar(
        select(BLSample).where(
            BLSample.containerId == container.containerId, BLSample.location == str(position)
        )
    )
    if sample is None:
        raise RuleViolation(
            f"position {position} of puck {container.code or container.barcode} "
            f"(slot {slot}) is empty",
            position_name,
        )
    return sample


def _hold_sample(group: DataCollectionGroup, sample: BLSample, name: str) -> None:
    if group.blSampleId is not None and group.blSampleId != sample.blSampleId:
        raise RuleViolation(
            f"group {group.dataCollectionGroupId} holds sample {group.blSampleId}, "
            f"not {sample.blSampleId}",
            name,
        )
    group.blSampleId = sample.blSampleId


def save_group(
    db: Session, user: CurrentUser, write: GroupWrite
) -> tuple[DataCollectionGroup, bool]:
    """Create the group, or update the one named; returns it and whether it is new."""
    names = write.names
    session = writable_session(db, user, write.session_id, names.session)
    rules.check_status(write.values.get("experimentType"), rules.EXPERIMENT_TYPES, "experimentType")
    created = write.group_id is None
    if write.group_id is None:
        group = DataCollectionGroup(sessionId=session.sessionId)
    else:
        group = get_visible(db, user, DataCollectionGroup, write.group_id, names.group)
        if group.sessionId != session.sessionId:
            raise RuleViolation(
                f"group {write.group_id} belongs to session {group.sessionId}, "
                f"not {session.sessionId}",
                names.group,
            )
    if write.sample_id is not None:
        _hold_sample(
            group, sample_of_session(db, user, session, write.sample_id, names.sample), names.sample
        )
    elif write.container_slot is not None and write.sample_slot is not None:
        sample = sample_at(
            db, session, write.container_slot, write.sample_slot,
            names.container_slot, names.sample_slot,
        )  # fmt: skip
        _hold_sample(group, sample, names.sample_slot)
    assign(group, {k: v for k, v in write.values.items() if v is not None or created})
    db.add(group)
    db.flush()
    return group, created


def save_collection(
    db: Session, user: CurrentUser, write: CollectionWrite
) -> tuple[DataCollection, bool]:
    """Create the collection, or update the one named; returns it and whether it is new."""
    names = write.names
    if write.group_id is None:
        raise RuleViolation(
            f"{names.group} is required: the group from POST datacollections/group", names.group
        )
    group = get_visible(db, user, DataCollectionGroup, write.group_id, names.group)
    session = writable_session(db, user, write.session_id or group.sessionId, names.session)
    if group.sessionId != session.sessionId:
        raise RuleViolation(
            f"group {group.dataCollectionGroupId} belongs to session {group.sessionId}, "
            f"not {session.sessionId}",
            names.group,
        )
    sample_id = write.sample_id or group.blSampleId
    if sample_id is None:
        raise RuleViolation(
            f"a data collection belongs to a sample: give {names.sample}", names.sample
        )
    _hold_sample(group, sample_of_session(db, user, session, sample_id, names.sample), names.sample)
    created = write.collection_id is None
    if write.collection_id is None:
        collection = DataCollection()
    else:
        collection = get_visible(db, user, DataCollection, write.collection_id, names.collection)
        if collection.dataCollectionGroupId != group.dataCollectionGroupId:
            raise RuleViolation(
                f"collection {write.collection_id} is not in group {group.dataCollectionGroupId}",
                names.collection,
            )
    detector_id = write.values.get("detectorId")
    if detector_id is not None and db.get(Detector, detector_id) is None:
        raise UnknownReference(f"detectorId {detector_id} does not exist", "detectorId")
    assign(collection, {k: v for k, v in write.values.items() if v is not None or created})
    collection.dataCollectionGroupId = group.dataCollectionGroupId
    collection.sessionId = session.sessionId
    collection.blSampleId = group.blSampleId
    _check_run_is_new(db, collection, names.run)
    db.add(collection)
    db.flush()
    return collection, created


def _check_run_is_new(db: Session, collection: DataCollection, name: str) -> None:
    """Images (directory, prefix, run number) are unique within a group."""
    if collection.imageDirectory is None or collection.dataCollectionNumber is None:
        return
    holder = db.scalar(
        select(DataCollection.dataCollectionId).where(
            DataCollection.dataCollectionGroupId == collection.dataCollectionGroupId,
            DataCollection.imageDirectory == collection.imageDirectory,
            DataCollection.imagePrefix == collection.imagePrefix,
            DataCollection.dataCollectionNumber == collection.dataCollectionNumber,
        )
    )
    if holder is not None and holder != collection.dataCollectionId:
        raise Conflict(
            f"run {collection.dataCollectionNumber} of "
            f"{collection.imageDirectory}{collection.imagePrefix or ''} already exists in "
            f"this group (data collection {holder})",
            name,
        )
