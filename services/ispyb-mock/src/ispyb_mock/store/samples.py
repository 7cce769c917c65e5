"""Proteins and samples, each sample with its crystal and diffraction plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import rules
from ..auth import CurrentUser
from ..errors import Conflict, RuleViolation
from ..models import BLSample, Container, Crystal, DiffractionPlan, Proposal, Protein
from ..schemas.samples import CrystalFields, ProteinCreate, SampleCreate, SampleFields
from .common import assign, fields
from .lookup import get_visible, proposal_of


def find_protein(db: Session, proposal_id: int, acronym: str) -> Protein | None:
    return db.scalar(
        select(Protein).where(Protein.proposalId == proposal_id, Protein.acronym == acronym)
    )


def create_protein(db: Session, user: CurrentUser, payload: ProteinCreate) -> Protein:
    get_visible(db, user, Proposal, payload.proposalId, "proposalId")
    if find_protein(db, payload.proposalId, payload.acronym) is not None:
        raise Conflict(f"protein acronym {payload.acronym!r} already exists", "acronym")
    protein = Protein(**fields(payload))
    db.add(protein)
    db.flush()
    return protein


def check_location_free(
    db: Session, container_id: int, location: int, sample_id: int | None, field: str = "location"
) -> None:
    holder = db.scalar(
        select(BLSample.blSampleId).where(
            BLSample.containerId == container_id, BLSample.location == str(location)
        )
    )
    if holder is not None and holder != sample_id:
        raise Conflict(f"position {location} of container {container_id} is taken", field)


@dataclass
class SampleWrite:
    """One sample to write; ``sample`` is set when an existing one is updated."""

    container_id: int
    protein_id: int
    payload: SampleFields
    crystal: CrystalFields
    sample: BLSample | None = None


def _crystal(db: Session, write: SampleWrite) -> Crystal:
    crystal = write.sample.Crystal if write.sample is not None else None
    if crystal is None:
        crystal = Crystal()
        db.add(crystal)
    assign(crystal, fields(write.crystal, exclude={"proteinId", "protein"}))
    crystal.proteinId = write.protein_id
    return crystal


def _plan(db: Session, write: SampleWrite) -> DiffractionPlan | None:
    existing = write.sample.DiffractionPlan if write.sample is not None else None
    if write.payload.DiffractionPlan is None:
        return existing
    plan = existing or DiffractionPlan()
    if existing is None:
        db.add(plan)
    assign(plan, fields(write.payload.DiffractionPlan))
    return plan


def save_samples(db: Session, writes: Sequence[SampleWrite]) -> list[BLSample]:
    """Create or update samples with their crystals and plans, in two flushes."""
    crystals = [_crystal(db, write) for write in writes]
    plans = [_plan(db, write) for write in writes]
    db.flush()
    samples = []
    for write, crystal, plan in zip(writes, crystals, plans, strict=True):
        sample = write.sample or BLSample()
        assign(
            sample,
            fields(
                write.payload,
                exclude={"Crystal", "DiffractionPlan", "containerId", "dataCollectionGroups"},
            ),
        )
        sample.location = str(write.payload.location)
        sample.containerId = write.container_id
        sample.crystalId = crystal.crystalId
        sample.diffractionPlanId = plan.diffractionPlanId if plan else None
        samples.append(sample)
    db.add_all(samples)
    db.flush()
    return samples


def create_sample(db: Session, user: CurrentUser, payload: SampleCreate) -> BLSample:
    container = get_visible(db, user, Container, payload.containerId, "containerId")
    rules.check_sample_location(payload.location, container.capacity or 0)
    check_location_free(db, container.containerId, payload.location, None)
    protein = get_visible(db, user, Protein, payload.Crystal.proteinId, "Crystal.proteinId")
    if protein.proposalId != proposal_of(db, Container, container.containerId):
        raise RuleViolation(
            "the crystal's protein belongs to another proposal than the container",
            "Crystal.proteinId",
        )
    write = SampleWrite(container.containerId, protein.proteinId, payload, payload.Crystal)
    return save_samples(db, [write])[0]
