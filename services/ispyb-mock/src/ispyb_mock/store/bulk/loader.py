"""Load a whole proposal graph in one transaction, upserting by natural keys.

The loader works level by level (people, proposal, sessions, proteins, shipments,
dewars, containers, samples, groups, collections, processing): at each level it
fetches the rows that already exist with one query, updates or creates, and
flushes once. Rule violations name the JSON path of the offending field.

People and laboratories are the rows that concurrent loads of different proposals
can share, so they are written first and in one order (by login, by laboratory
key): two loads then wait for each other instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import RuleViolation
from ...models import BLSession, Container, Dewar, Protein, Shipping
from ...schemas.bulk import (
    BulkCollectionRef,
    BulkContainer,
    BulkDewar,
    BulkProposal,
    BulkResult,
    BulkSampleRef,
    BulkShipping,
)
from ...schemas.proposals import PersonIn
from ...settings import Settings
from ..common import assign, at, fields, now
from ..people import upsert_people
from ..proposals import find_proposal, save_proposal, save_session
from ..shipments import apply_container_rules, find_shipping, link_sessions
from .barcoded import CONTAINERS, DEWARS, upsert_barcoded
from .checks import check_request
from .experiments import upsert_collections, upsert_groups, upsert_programs, upsert_samples
from .placed import Placed, Tally, place


def people_of(payload: BulkProposal) -> list[PersonIn]:
    """Everyone the graph names: main proposer, members, session persons."""
    session_people = [person for session in payload.sessions for person in session.persons]
    return [payload.Person, *payload.persons, *session_people]


class BulkLoader:
    def __init__(self, db: Session, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.tally = Tally()
        self.proposal_id = 0
        self.sessions: dict[int, int] = {}
        self.proteins: dict[str, int] = {}

    def load(self, payload: BulkProposal) -> BulkResult:
        check_request(payload, self.settings)
        upsert_people(self.db, people_of(payload))
        existing = find_proposal(self.db, payload.proposalCode, payload.proposalNumber)
        proposal = save_proposal(self.db, payload, existing)
        self.tally.count("Proposal", existing is not None)
        self.proposal_id = proposal.proposalId
        self._sessions(payload)
        self._proteins(payload)
        shippings = self._shippings(payload.shippings)
        dewars = upsert_barcoded(
            self.db,
            DEWARS,
            place(shippings, "dewars", lambda shipping: shipping.shippingId),
            self.proposal_id,
            self.tally,
            self._finish_dewar,
        )
        containers = upsert_barcoded(
            self.db,
            CONTAINERS,
            place(dewars, "containers", lambda dewar: dewar.dewarId),
            self.proposal_id,
            self.tally,
            self._finish_container,
        )
        samples = upsert_samples(self.db, containers, self.proteins, self.tally)
        groups = upsert_groups(self.db, samples, self._session_id, self.tally)
        collections = upsert_collections(self.db, groups, self.tally)
        programs = upsert_programs(self.db, collections, self.tally)
        barcodes = {entry.row.containerId: entry.item.barcode for entry in containers}
        return BulkResult(
            proposalId=proposal.proposalId,
            proposal=f"{proposal.proposalCode}{proposal.proposalNumber}",
            sessions=self.sessions,
            proteins=self.proteins,
            shippings={p.item.shippingName: p.row.shippingId for p in shippings},
            dewars={p.item.barCode: p.row.dewarId for p in dewars},
            containers={p.item.barcode: p.row.containerId for p in containers},
            samples=[
                BulkSampleRef(
                    containerBarcode=barcodes[p.parent_id],
                    location=p.item.location,
                    blSampleId=p.row.blSampleId,
                    crystalId=p.row.crystalId,
                )
                for p in samples
            ],
            dataCollections=[
                BulkCollectionRef(
                    blSampleId=p.row.blSampleId,
                    dataCollectionGroupId=p.parent_id,
                    dataCollectionId=p.row.dataCollectionId,
                    imageDirectory=p.item.imageDirectory,
                    imagePrefix=p.item.imagePrefix,
                    dataCollectionNumber=p.item.dataCollectionNumber,
                    autoProcProgramIds=programs.get(p.row.dataCollectionId, []),
                )
                for p in collections
            ],
            created=dict(self.tally.created),
            updated=dict(self.tally.updated),
        )

    def _session_id(self, visit_number: int | None, field: str) -> int | None:
        if visit_number is None:
            return None
        if visit_number not in self.sessions:
            raise RuleViolation(f"visit {visit_number} is not a session of this proposal", field)
        return self.sessions[visit_number]

    def _sessions(self, payload: BulkProposal) -> None:
        known = self.db.execute(
            select(BLSession.visit_number, BLSession.sessionId).where(
                BLSession.proposalId == self.proposal_id
            )
        )
        self.sessions = {visit: session_id for visit, session_id in known}
        for index, item in enumerate(payload.sessions):
            with at(f"sessions[{index}]"):
                self.tally.count("BLSession", item.visit_number in self.sessions)
                session = save_session(self.db, self.proposal_id, item.visit_number, item)
                self.sessions[item.visit_number] = session.sessionId

    def _proteins(self, payload: BulkProposal) -> None:
        rows = self.db.scalars(select(Protein).where(Protein.proposalId == self.proposal_id))
        by_acronym = {protein.acronym: protein for protein in rows}
        for item in payload.proteins:
            protein = by_acronym.get(item.acronym)
            self.tally.count("Protein", protein is not None)
            if protein is None:
                protein = by_acronym[item.acronym] = Protein(proposalId=self.proposal_id)
                self.db.add(protein)
            assign(protein, fields(item, only_set=True) | {"acronym": item.acronym})
        self.db.flush()
        self.proteins = {acronym: protein.proteinId for acronym, protein in by_acronym.items()}

    def _shippings(self, items: Sequence[BulkShipping]) -> list[Placed]:
        placed = []
        for index, item in enumerate(items):
            with at(f"shippings[{index}]"):
                shipping = find_shipping(self.db, self.proposal_id, item.shippingName)
                existed = shipping is not None
                self.tally.count("Shipping", existed)
                if shipping is None:
                    shipping = Shipping(proposalId=self.proposal_id, creationDate=now())
                    self.db.add(shipping)
                assign(shipping, fields(item, exclude={"sessions", "dewars"}, only_set=existed))
                self.db.flush()
                session_ids = [
                    self._session_id(visit, f"sessions[{i}]")
                    for i, visit in enumerate(item.sessions)
                ]
                link_sessions(self.db, shipping, [sid for sid in session_ids if sid is not None])
                placed.append(Placed(f"shippings[{index}]", item, self.proposal_id, shipping))
        return placed

    def _finish_dewar(self, dewar: Dewar, item: BulkDewar) -> None:
        if item.firstExperiment is not None:
            dewar.firstExperimentId = self._session_id(item.firstExperiment, "firstExperiment")

    def _finish_container(self, container: Container, item: BulkContainer) -> None:
        # The type always comes from the request: a reload resets it, and the
        # capacity follows from it (see rules.container_capacity).
        assign(
            container,
            {"code": item.code, "containerType": item.containerType, "capacity": item.capacity},
        )
        container.sessionId = self._session_id(item.session, "session")
        apply_container_rules(self.db, self.settings, container, self.proposal_id)
