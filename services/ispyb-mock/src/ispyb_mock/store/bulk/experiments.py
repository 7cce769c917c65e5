"""The bulk load below the pucks: samples, data collection groups, data collections
and processing runs, each level with one lookup query and a fixed number of flushes."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...errors import RuleViolation
from ...models import AutoProcProgram, BLSample, DataCollection, DataCollectionGroup
from ...schemas.bulk import BulkDataCollection, BulkGroup, BulkSample
from ..collections import fill_collection
from ..common import assign, at, fields
from ..processing import ProcessingWrite, save_processings
from ..samples import SampleWrite, save_samples
from .placed import Placed, Tally, place

SessionOf = Callable[[int | None, str], int | None]


def upsert_samples(
    db: Session, containers: Sequence[Placed], proteins: Mapping[str, int], tally: Tally
) -> list[Placed]:
    placed = place(containers, "samples", lambda container: container.containerId)
    rows = db.scalars(
        select(BLSample)
        .options(selectinload(BLSample.Crystal), selectinload(BLSample.DiffractionPlan))
        .where(BLSample.containerId.in_([c.row.containerId for c in containers]))
    )
    by_position = {(sample.containerId, sample.location): sample for sample in rows}
    writes = []
    for entry in placed:
        item: BulkSample = entry.item
        with at(f"{entry.path}.Crystal"):
            if item.Crystal.protein not in proteins:
                raise RuleViolation(
                    f"protein {item.Crystal.protein!r} is not one of the proposal's", "protein"
                )
        existing = by_position.get((entry.parent_id, str(item.location)))
        tally.count("BLSample", existing is not None)
        writes.append(
            SampleWrite(
                entry.parent_id, proteins[item.Crystal.protein], item, item.Crystal, existing
            )
        )
    for entry, sample in zip(placed, save_samples(db, writes), strict=True):
        entry.row = sample
    return placed


def upsert_groups(
    db: Session, samples: Sequence[Placed], session_of: SessionOf, tally: Tally
) -> list[Placed]:
    placed = place(samples, "dataCollectionGroups", lambda sample: sample.blSampleId)
    rows = db.scalars(
        select(DataCollectionGroup).where(
            DataCollectionGroup.blSampleId.in_([s.row.blSampleId for s in samples])
        )
    )
    by_key: dict[tuple[int, int, datetime | None], Any] = {
        (g.blSampleId, g.sessionId, g.startTime): g for g in rows
    }
    for entry in placed:
        item: BulkGroup = entry.item
        with at(entry.path):
            session_id = session_of(item.session, "session")
        group = by_key.get((entry.parent_id, session_id, item.startTime))
        tally.count("DataCollectionGroup", group is not None)
        entry.row = group or DataCollectionGroup()
        assign(
            entry.row,
            fields(item, exclude={"session", "dataCollections"})
            | {"blSampleId": entry.parent_id, "sessionId": session_id},
        )
        db.add(entry.row)
    db.flush()
    return placed


def upsert_collections(db: Session, groups: Sequence[Placed], tally: Tally) -> list[Placed]:
    placed = place(groups, "dataCollections", lambda group: group.dataCollectionGroupId)
    group_rows = {g.row.dataCollectionGroupId: g.row for g in groups}
    rows = db.scalars(
        select(DataCollection).where(DataCollection.dataCollectionGroupId.in_(group_rows))
    )
    by_key = {
        (c.dataCollectionGroupId, c.imageDirectory, c.imagePrefix, c.dataCollectionNumber): c
        for c in rows
    }
    for entry in placed:
        item: BulkDataCollection = entry.item
        key = (entry.parent_id, item.imageDirectory, item.imagePrefix, item.dataCollectionNumber)
        collection = by_key.get(key)
        tally.count("DataCollection", collection is not None)
        entry.row = collection or DataCollection()
        fill_collection(entry.row, group_rows[entry.parent_id], item)
        db.add(entry.row)
    db.flush()
    return placed


def upsert_programs(
    db: Session, collections: Sequence[Placed], tally: Tally
) -> dict[int, list[int]]:
    """Each collection's processing runs; returns their ids per data collection."""
    ids = [c.row.dataCollectionId for c in collections]
    rows = db.scalars(select(AutoProcProgram).where(AutoProcProgram.dataCollectionId.in_(ids)))
    by_key = {(p.dataCollectionId, p.processingPrograms): p for p in rows}
    writes = []
    for entry in collections:
        for item in entry.item.autoProcPrograms:
            existing = by_key.get((entry.row.dataCollectionId, item.processingPrograms))
            tally.count("AutoProcProgram", existing is not None)
            writes.append(ProcessingWrite(entry.row.dataCollectionId, item, existing))
    programs: dict[int, list[int]] = {}
    for write, created in zip(writes, save_processings(db, writes), strict=True):
        programs.setdefault(write.collection_id, []).append(created.autoProcProgramId)
    return programs
