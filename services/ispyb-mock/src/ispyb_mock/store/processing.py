"""Auto-processing results: a program run with its integration, scaling and shells.

Writes are batched: any number of runs take a fixed number of flushes, which is
what keeps the bulk load of a thousand-sample proposal fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from .. import rules
from ..auth import CurrentUser
from ..errors import Conflict
from ..feed.tracking import note_processing
from ..models import (
    AutoProc,
    AutoProcIntegration,
    AutoProcProgram,
    AutoProcProgramAttachment,
    AutoProcScaling,
    AutoProcScalingHasInt,
    AutoProcScalingStatistics,
    DataCollection,
)
from ..schemas.processing import AutoProcessingCreate, AutoProcessingCreated, AutoProcessingFields
from .common import assign, fields, now
from .lookup import get_visible

_PROGRAM_CHILDREN = {
    "AutoProc",
    "AutoProcIntegration",
    "AutoProcScalingStatistics",
    "attachments",
    "dataCollectionId",
}


@dataclass
class ProcessingWrite:
    """One run to write for a data collection; ``program`` is set when it is rewritten."""

    collection_id: int
    payload: AutoProcessingFields
    program: AutoProcProgram | None = None


def check_processing(payload: AutoProcessingFields, field: str = "") -> None:
    shells = [stat.scalingStatisticsType for stat in payload.AutoProcScalingStatistics]
    if shells:
        rules.check_scaling_shells(shells, f"{field}AutoProcScalingStatistics")


def find_program(db: Session, collection_id: int, programs: str) -> AutoProcProgram | None:
    return db.scalar(
        select(AutoProcProgram).where(
            AutoProcProgram.dataCollectionId == collection_id,
            AutoProcProgram.processingPrograms == programs,
        )
    )


def clear_results(db: Session, program_ids: Sequence[int]) -> None:
    """Remove programs' results; the foreign keys cascade to scaling and statistics."""
    if not program_ids:
        return
    db.execute(delete(AutoProc).where(AutoProc.autoProcProgramId.in_(program_ids)))
    db.execute(
        delete(AutoProcIntegration).where(AutoProcIntegration.autoProcProgramId.in_(program_ids))
    )
    db.execute(
        delete(AutoProcProgramAttachment).where(
            AutoProcProgramAttachment.autoProcProgramId.in_(program_ids)
        )
    )


def save_processings(db: Session, writes: Sequence[ProcessingWrite]) -> list[AutoProcessingCreated]:
    """Write (or rewrite) program runs and all their results, in a fixed number of statements.

    Rows whose ids the next level needs go through the ORM (one flush per level). The leaves
    (attachments, scaling statistics, the scaling-integration links) are bulk inserts: most of
    a run's rows, without the unit of work's bookkeeping per object.
    """
    stamp = now()
    clear_results(db, [w.program.autoProcProgramId for w in writes if w.program is not None])
    programs = []
    for write in writes:
        program = write.program or AutoProcProgram(dataCollectionId=write.collection_id)
        assign(
            program, fields(write.payload, exclude=_PROGRAM_CHILDREN) | {"recordTimeStamp": stamp}
        )
        programs.append(program)
    db.add_all(programs)
    db.flush()

    integrations, auto_procs = [], []
    attachments: list[dict[str, Any]] = []
    for write, program in zip(writes, programs, strict=True):
        payload = write.payload
        integrations.append(
            AutoProcIntegration(
                dataCollectionId=write.collection_id,
                autoProcProgramId=program.autoProcProgramId,
                recordTimeStamp=stamp,
                **fields(payload.AutoProcIntegration),
            )
        )
        attachments.extend(
            {"autoProcProgramId": program.autoProcProgramId, "recordTimeStamp": stamp, **fields(attachment)}
            for attachment in payload.attachments
        )
        scaled = payload.AutoProc is not None or bool(payload.AutoProcScalingStatistics)
        auto_procs.append(
            AutoProc(
                autoProcProgramId=program.autoProcProgramId,
                recordTimeStamp=stamp,
                **(fields(payload.AutoProc) if payload.AutoProc else {}),
            )
            if scaled
            else None
        )
    db.add_all(integrations)
    db.add_all(proc for proc in auto_procs if proc is not None)
    db.flush()

    scalings = [
        AutoProcScaling(autoProcId=proc.autoProcId, recordTimeStamp=stamp) if proc else None
        for proc in auto_procs
    ]
    db.add_all(scaling for scaling in scalings if scaling is not None)
    db.flush()

    links: list[dict[str, Any]] = []
    statistics: list[dict[str, Any]] = []
    for write, integration, scaling in zip(writes, integrations, scalings, strict=True):
        if scaling is None:
            continue
        links.append({
            "autoProcScalingId": scaling.autoProcScalingId,
            "autoProcIntegrationId": integration.autoProcIntegrationId,
            "recordTimeStamp": stamp,
        })  # fmt: skip
        statistics.extend(
            {"autoProcScalingId": scaling.autoProcScalingId, "recordTimeStamp": stamp, **fields(stat)}
            for stat in write.payload.AutoProcScalingStatistics
        )
    for model, rows in (
        (AutoProcProgramAttachment, attachments),
        (AutoProcScalingHasInt, links),
        (AutoProcScalingStatistics, statistics),
    ):
        if rows:
            db.execute(insert(model), rows)
    note_processing(db, (program.autoProcProgramId for program in programs))
    return [
        AutoProcessingCreated(
            autoProcProgramId=program.autoProcProgramId,
            autoProcIntegrationId=integration.autoProcIntegrationId,
            autoProcId=proc.autoProcId if proc else None,
            autoProcScalingId=scaling.autoProcScalingId if scaling else None,
        )
        for program, integration, proc, scaling in zip(
            programs, integrations, auto_procs, scalings, strict=True
        )
    ]


def create_processing(
    db: Session, user: CurrentUser, payload: AutoProcessingCreate
) -> AutoProcessingCreated:
    collection = get_visible(db, user, DataCollection, payload.dataCollectionId, "dataCollectionId")
    check_processing(payload)
    if find_program(db, collection.dataCollectionId, payload.processingPrograms) is not None:
        raise Conflict(
            f"{payload.processingPrograms!r} results already exist for this data collection",
            "processingPrograms",
        )
    return save_processings(db, [ProcessingWrite(collection.dataCollectionId, payload)])[0]
