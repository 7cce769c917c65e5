"""Auto-processing results per data collection."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from ..access import name_filter, session_filter
from ..deps import Db, Page, User, Writer
from ..errors import RuleViolation
from ..models import (
    AutoProcIntegration,
    AutoProcProgram,
    AutoProcProgramAttachment,
    AutoProcScaling,
    AutoProcScalingHasInt,
    BLSession,
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
from ..store.lookup import get_visible, join_owner, owner_joined, visible_select
from ..store.processing import create_processing
from .common import counts, paginate

router = APIRouter(prefix="/processings", tags=["processing"])


ProposalFilter = Annotated[str | None, Query(description="Proposal name (extension)")]
SessionFilter = Annotated[str | None, Query(description="Session name <proposal>-<n> (extension)")]
SessionIdFilter = Annotated[int | None, Query(description="Session id (extension)")]


def _in_sessions(
    query: Select[Any],
    user: User,
    proposal: str | None,
    session: str | None,
    session_id: int | None,
) -> Select[Any]:
    """Restrict program runs to a proposal or a session (scicatlive's extension of
    py-ISPyB's processing lists, so a reader pages through a proposal at once)."""
    if proposal is None and session is None and session_id is None:
        return query
    if not owner_joined(user):
        query = join_owner(query, AutoProcProgram)
    query = query.where(name_filter(proposal, BLSession.proposalId))
    if session is not None:
        query = query.where(session_filter(session))
    if session_id is not None:
        query = query.where(BLSession.sessionId == session_id)
    return query


@router.get("/auto-integrations", response_model=Paginated[AutoIntegrationOut])
def list_auto_integrations(
    db: Db,
    user: User,
    page: Page,
    dataCollectionId: Annotated[int | None, Query()] = None,
    proposal: ProposalFilter = None,
    session: SessionFilter = None,
    sessionId: SessionIdFilter = None,
) -> Paginated[AutoIntegrationOut]:
    """Integration, scaling and the three statistics shells of each program run, in
    run order; of one data collection, one session, one proposal, or all visible."""
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
            exists().where(
                AutoProcIntegration.autoProcProgramId == AutoProcProgram.autoProcProgramId
            ),
        )
        .order_by(AutoProcProgram.autoProcProgramId)
    )
    if dataCollectionId is not None:
        query = query.where(AutoProcProgram.dataCollectionId == dataCollectionId)
    query = _in_sessions(query, user, proposal, session, sessionId)
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
    db: Db,
    user: User,
    page: Page,
    autoProcProgramId: Annotated[int | None, Query()] = None,
    autoProcProgramAttachmentId: Annotated[int | None, Query()] = None,
    dataCollectionId: Annotated[int | None, Query(description="(extension)")] = None,
    proposal: ProposalFilter = None,
    session: SessionFilter = None,
    sessionId: SessionIdFilter = None,
) -> Paginated[AttachmentOut]:
    """Log and result files of program runs, in file order; of one run, one data
    collection, one session, one proposal, or all visible."""
    runs = _in_sessions(
        visible_select(AutoProcProgram, user).with_only_columns(AutoProcProgram.autoProcProgramId),
        user, proposal, session, sessionId,
    )  # fmt: skip
    if dataCollectionId is not None:
        runs = runs.where(AutoProcProgram.dataCollectionId == dataCollectionId)
    query = select(AutoProcProgramAttachment).order_by(
        AutoProcProgramAttachment.autoProcProgramAttachmentId
    )
    if autoProcProgramId is not None:
        get_visible(db, user, AutoProcProgram, autoProcProgramId, "autoProcProgramId")
        query = query.where(AutoProcProgramAttachment.autoProcProgramId == autoProcProgramId)
    if autoProcProgramAttachmentId is not None:
        query = query.where(
            AutoProcProgramAttachment.autoProcProgramAttachmentId == autoProcProgramAttachmentId
        )
    if not user.sees_all or runs.whereclause is not None:
        query = query.where(AutoProcProgramAttachment.autoProcProgramId.in_(runs))
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total,
        results=[AttachmentOut.model_validate(r) for r in rows],
        skip=page.skip,
        limit=page.limit,
    )
