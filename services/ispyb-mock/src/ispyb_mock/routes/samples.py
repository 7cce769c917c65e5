"""Samples (with crystal, protein, container) and proteins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import Integer, Select, cast, or_, select
from sqlalchemy.orm import Session, selectinload

from ..access import name_filter
from ..deps import Db, Page, User, Writer
from ..models import (
    AutoProcIntegration,
    BLSample,
    Container,
    Crystal,
    DataCollection,
    Dewar,
    Proposal,
    Protein,
    Shipping,
)
from ..schemas.common import Paginated
from ..schemas.samples import (
    ProteinCreate,
    ProteinMeta,
    ProteinOut,
    SampleCreate,
    SampleMeta,
    SampleOut,
)
from ..store.lookup import get_visible, join_owner, owner_joined, visible_select
from ..store.samples import create_protein, create_sample
from .common import counts, paginate

router = APIRouter(tags=["samples"])

_SAMPLE_ORDER = {
    "blSampleId": BLSample.blSampleId,
    "name": BLSample.name,
    "location": cast(BLSample.location, Integer),
}


def sample_out(db: Session, samples: list[BLSample]) -> list[SampleOut]:
    ids = [s.blSampleId for s in samples]
    collections = counts(db, DataCollection.blSampleId, ids)
    integrations = counts(db, DataCollection.blSampleId, ids, AutoProcIntegration)
    names = (
        dict(
            db.execute(
                select(BLSample.blSampleId, Proposal.proposal)
                .join(BLSample.Container)
                .join(Container.Dewar)
                .join(Dewar.Shipping)
                .join(Proposal, Proposal.proposalId == Shipping.proposalId)
                .where(BLSample.blSampleId.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return [
        SampleOut.model_validate(s).model_copy(
            update={
                "meta": SampleMeta(
                    datacollections=collections.get(s.blSampleId, 0),
                    autoIntegrations=integrations.get(s.blSampleId, 0),
                    proposal=names.get(s.blSampleId, ""),
                )
            }
        )
        for s in samples
    ]


def _sample_select(user: User) -> Select[tuple[BLSample]]:
    return visible_select(BLSample, user).options(
        selectinload(BLSample.Crystal).selectinload(Crystal.Protein),
        selectinload(BLSample.Container),
        selectinload(BLSample.DiffractionPlan),
    )


@router.get("/samples", response_model=Paginated[SampleOut])
def list_samples(
    db: Db,
    user: User,
    page: Page,
    proposal: Annotated[str | None, Query(description="Proposal name")] = None,
    containerId: Annotated[int | None, Query()] = None,
    proteinId: Annotated[int | None, Query()] = None,
    beamLineName: Annotated[
        str | None, Query(description="Samples in pucks loaded on this beamline's changer")
    ] = None,
    search: Annotated[str | None, Query(description="Sample name or code, protein acronym")] = None,
    order_by: Annotated[Literal["blSampleId", "name", "location"], Query()] = "blSampleId",
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
) -> Paginated[SampleOut]:
    column = _SAMPLE_ORDER[order_by]
    query = _sample_select(user).order_by(
        column.desc() if order == "desc" else column.asc(), BLSample.blSampleId
    )
    if (proposal is not None or beamLineName is not None) and not owner_joined(user):
        query = join_owner(query, BLSample)
    if proposal is not None:
        query = query.where(name_filter(proposal, Shipping.proposalId))
    if containerId is not None:
        query = query.where(BLSample.containerId == containerId)
    if proteinId is not None or search:
        query = query.join(BLSample.Crystal)
    if proteinId is not None:
        query = query.where(Crystal.proteinId == proteinId)
    if beamLineName is not None:
        query = query.where(
            Dewar.dewarStatus == "processing",
            Container.beamlineLocation == beamLineName,
            Container.sampleChangerLocation != "",
        )
    if search:
        pattern = f"%{search}%"
        query = query.join(Crystal.Protein).where(
            or_(
                BLSample.name.like(pattern),
                BLSample.code.like(pattern),
                Protein.acronym.like(pattern),
            )
        )
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total, results=sample_out(db, list(rows)), skip=page.skip, limit=page.limit
    )


@router.get("/samples/{blSampleId}", response_model=SampleOut)
def get_sample(blSampleId: int, db: Db, user: User) -> SampleOut:
    return sample_out(db, [get_visible(db, user, BLSample, blSampleId)])[0]


@router.post("/samples", status_code=201, response_model=SampleOut)
def post_sample(body: SampleCreate, db: Db, user: Writer) -> SampleOut:
    """Create a sample at a position of a container, with its crystal and diffraction plan."""
    sample = create_sample(db, user, body)
    db.commit()
    return sample_out(db, [sample])[0]


def protein_out(db: Session, proteins: list[Protein]) -> list[ProteinOut]:
    ids = [p.proteinId for p in proteins]
    crystals = counts(db, Crystal.proteinId, ids)
    samples = counts(db, Crystal.proteinId, ids, BLSample)
    return [
        ProteinOut.model_validate(p).model_copy(
            update={
                "meta": ProteinMeta(
                    crystals=crystals.get(p.proteinId, 0),
                    samples=samples.get(p.proteinId, 0),
                )
            }
        )
        for p in proteins
    ]


@router.get("/proteins", response_model=Paginated[ProteinOut])
def list_proteins(
    db: Db,
    user: User,
    page: Page,
    proposal: Annotated[str | None, Query()] = None,
    proteinId: Annotated[int | None, Query()] = None,
    search: Annotated[str | None, Query(description="Name or acronym")] = None,
) -> Paginated[ProteinOut]:
    query = (
        visible_select(Protein, user)
        .where(name_filter(proposal, Protein.proposalId))
        .order_by(Protein.proteinId)
    )
    if proteinId is not None:
        query = query.where(Protein.proteinId == proteinId)
    if search:
        pattern = f"%{search}%"
        query = query.where(or_(Protein.name.like(pattern), Protein.acronym.like(pattern)))
    total, rows = paginate(db, query, page)
    return Paginated(
        total=total, results=protein_out(db, list(rows)), skip=page.skip, limit=page.limit
    )


@router.get("/proteins/{proteinId}", response_model=ProteinOut)
def get_protein(proteinId: int, db: Db, user: User) -> ProteinOut:
    return protein_out(db, [get_visible(db, user, Protein, proteinId)])[0]


@router.post("/proteins", status_code=201, response_model=ProteinOut)
def post_protein(body: ProteinCreate, db: Db, user: Writer) -> ProteinOut:
    protein = create_protein(db, user, body)
    db.commit()
    return protein_out(db, [protein])[0]
