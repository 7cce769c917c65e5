"""Auto-processing results per data collection."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from ..deps import Db, Page, User, Writer
from ..errors import RuleViolation
from ..models import (
    AutoProcIntegration,
    AutoProcProgram,
    AutoProcProgramAttachment,
    AutoProcScaling,
    AutoProcScalingHasInt,
    DataCollection,
)
from ..schemas.common import Paginated
from ..schemas.processing import (
    AttachmentOut,
    AutoIntegrationMeta,
    AutoIntegrationOut,
    AutoProcessingCreate,
    AutoProcessingCreated,
    DataCollectionStatus,
    ProcessingStatuses,
    ProgramStatus,
)
from ..store.lookup import get_visible, visible_select
from ..store.processing import create_processing
from .common import counts, paginate

router = APIRouter(prefix="/processings", tags=["processing"])


@router.get("/auto-integrations", response_model=Paginated[AutoIntegrationOut])
def list_auto_integrations(
    db: Db, user: User, page: Page, dataCollectionId: Annotated[int, Query()]
) -> Paginated[AutoIntegrationOut]:
    """Integration, scaling and the three statistics shells of each program run."""
    scaling = (
        selectinload(AutoProcProgram.AutoProcIntegration)
        .selectinload(AutoProcIntegration.AutoProcScalingHasInt)
        .selectinload(AutoProcScalingHasInt.AutoProcScaling)
    )
    query = (
        visible_select(AutoProcProgram, user)
        .options(
            scaling.selectinload(AutoProcScaling.AutoProc),
            scaling.selectinload(AutoProcScaling.AutoProcScalingStatistics),
        )
        .where(
            AutoProcProgram.dataCollectionId == dataCollectionId,
            exists().where(
                AutoProcIntegration.autoProcProgramId == AutoProcProgram.autoProcProgramId
            ),
        )
        .order_by(AutoProcProgram.autoProcProgramId)
    )
    total, rows = paginate(db, query, page)
    attachments = counts(
        db, AutoProcProgramAttachment.autoProcProgramId, [p.autoProcProgramId for p in rows]
    )
    results = [
        AutoIntegrationOut.model_validate(p).model_copy(
            update={
                "meta": AutoIntegrationMeta(attachments=attachments.get(p.autoProcProgramId, 0))
            }
        )
        for p in rows
    ]
    return Paginated(total=total, results=results, skip=page.skip, limit=page.limit)


@router.post("/auto-integrations", status_code=201, response_model=AutoProcessingCreated)
def post_auto_integration(
    body: AutoProcessingCreate, db: Db, user: Writer
) -> AutoProcessingCreated:
    """Store one program run: AutoProcProgram, AutoProcIntegration, AutoProc, AutoProcScaling,
    its three AutoProcScalingStatistics shells and the attachments."""
    created = create_processing(db, user, body)
    db.commit()
    return created


def _ids(raw: str) -> list[int]:
    try:
        ids = json.loads(raw)
    except json.JSONDecodeError:
        ids = None
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        raise RuleViolation(
            "dataCollectionIds must be a JSON list of integers", "dataCollectionIds"
        )
    return ids


@router.get("/status", response_model=ProcessingStatuses)
def processing_status(
    db: Db, user: User, dataCollectionIds: Annotated[str, Query(examples=["[1,2]"])]
) -> ProcessingStatuses:
    """Per data collection, the runs of each program (status 1 success, 0 failed, null running)."""
    ids = _ids(dataCollectionIds)
    collections = db.scalars(
        visible_select(DataCollection, user)
        .with_only_columns(DataCollection.dataCollectionId)
        .where(DataCollection.dataCollectionId.in_(ids))
    ).all()
    statuses = {
        dc_id: DataCollectionStatus(processing={}, autoIntegration={}) for dc_id in collections
    }
    integrated = exists().where(
        AutoProcIntegration.autoProcProgramId == AutoProcProgram.autoProcProgramId
    )
    runs = db.execute(
        select(
            AutoProcProgram.dataCollectionId,
            AutoProcProgram.processingPrograms,
            AutoProcProgram.processingStatus,
            AutoProcProgram.autoProcProgramId,
            integrated.label("integrated"),
        )
        .where(AutoProcProgram.dataCollectionId.in_(collections))
        .order_by(AutoProcProgram.autoProcProgramId)
    )
    for dc_id, program, status, program_id, has_integration in runs:
        kind = statuses[dc_id].autoIntegration if has_integration else statuses[dc_id].processing
        kind.setdefault(program or "", []).append(
            ProgramStatus(status=status, autoProcProgramId=program_id)
        )
    return ProcessingStatuses(statuses=statuses)


@router.get("/attachments", response_model=Paginated[AttachmentOut])
def list_attachments(
    db: Db, user: User, page: Page, autoProcProgramId: Annotated[int, Query()]
) -> Paginated[AttachmentOut]:
    get_visible(db, user, AutoProcProgram, autoProcProgramId, "autoProcProgramId")
    query = (
        select(AutoProcProgramAttachment)
        .where(AutoProcProgramAttachment.autoProcProgramId == autoProcProgramId)
        .order_by(AutoProcProgramAttachment.autoProcProgramAttachmentId)
    )
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total,
        results=[AttachmentOut.model_validate(r) for r in rows],
        skip=page.skip,
        limit=page.limit,
    )
