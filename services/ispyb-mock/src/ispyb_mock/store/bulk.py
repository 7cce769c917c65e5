"""Load a whole proposal graph in one transaction, upserting by natural keys.

The loader works level by level (proposal, sessions, proteins, shipments,
dewars, containers, samples, groups, collections, processing): at each level it
fetches the rows that already exist with one query, updates or creates, and
flushes once. Rule violations name the JSON path of the offending field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .. import rules
from ..errors import Conflict, RuleViolation
from ..models import (
    AutoProcProgram,
    BLSample,
    BLSession,
    Container,
    DataCollection,
    DataCollectionGroup,
    Dewar,
    Protein,
    Shipping,
)
from ..schemas.bulk import (
    BulkCollectionRef,
    BulkContainer,
    BulkDataCollection,
    BulkDewar,
    BulkGroup,
    BulkProposal,
    BulkResult,
    BulkSample,
    BulkSampleRef,
    BulkShipping,
)
from ..settings import Settings
from .collections import fill_collection
from .common import assign, at, fields, now
from .processing import ProcessingWrite, check_processing, save_processings
from .proposals import find_proposal, save_proposal, save_session
from .samples import SampleWrite, save_samples
from .shipments import apply_container_rules, find_shipping, link_sessions


@dataclass
class _Placed:
    """A request item, where it sits in the JSON, and the row it was written to."""

    path: str
    item: Any
    parent_id: int
    row: Any = None


def check_request(payload: BulkProposal, settings: Settings) -> None:
    """Everything that can be checked before touching the database."""
    rules.check_unique(
        ((f"sessions[{i}].visit_number", s.visit_number) for i, s in enumerate(payload.sessions)),
        "visit_number",
    )
    rules.check_unique(
        ((f"proteins[{i}].acronym", p.acronym) for i, p in enumerate(payload.proteins)), "acronym"
    )
    rules.check_unique(
        ((f"shippings[{i}].shippingName", s.shippingName) for i, s in enumerate(payload.shippings)),
        "shippingName",
    )
    dewars = list(_dewars(payload))
    rules.check_unique(((f"{path}.barCode", d.barCode) for path, d in dewars), "dewar barCode")
    containers = [
        (f"{path}.containers[{i}]", c) for path, d in dewars for i, c in enumerate(d.containers)
    ]
    rules.check_unique(((f"{p}.barcode", c.barcode) for p, c in containers), "container barcode")
    for index, shipping in enumerate(payload.shippings):
        with at(f"shippings[{index}]"):
            rules.check_status(
                shipping.shippingStatus, rules.shipping_statuses(settings.site), "shippingStatus"
            )
    for path, dewar in dewars:
        with at(path):
            rules.check_status(
                dewar.dewarStatus, rules.dewar_statuses(settings.site), "dewarStatus"
            )
    for path, container in containers:
        with at(path):
            _check_container(container)


def _check_container(container: BulkContainer) -> None:
    capacity = rules.container_capacity(container.containerType, container.capacity)
    rules.check_unique(
        ((f"samples[{i}].location", s.location) for i, s in enumerate(container.samples)),
        "location",
    )
    for index, sample in enumerate(container.samples):
        with at(f"samples[{index}]"):
            rules.check_sample_location(sample.location, capacity)
            _check_sample(sample)


def _check_sample(sample: BulkSample) -> None:
    rules.check_unique(
        (
            (f"dataCollectionGroups[{i}].startTime", (g.session, g.startTime))
            for i, g in enumerate(sample.dataCollectionGroups)
        ),
        "session and startTime",
    )
    for g_index, group in enumerate(sample.dataCollectionGroups):
        keys = (
            (
                f"dataCollectionGroups[{g_index}].dataCollections[{i}].dataCollectionNumber",
                (c.imageDirectory, c.imagePrefix, c.dataCollectionNumber),
            )
            for i, c in enumerate(group.dataCollections)
        )
        rules.check_unique(keys, "imageDirectory, imagePrefix and dataCollectionNumber")
        for c_index, collection in enumerate(group.dataCollections):
            path = f"dataCollectionGroups[{g_index}].dataCollections[{c_index}]"
            rules.check_unique(
                (
                    (f"{path}.autoProcPrograms[{i}].processingPrograms", p.processingPrograms)
                    for i, p in enumerate(collection.autoProcPrograms)
                ),
                "processingPrograms",
            )
            for p_index, program in enumerate(collection.autoProcPrograms):
                check_processing(program, f"{path}.autoProcPrograms[{p_index}].")


def _dewars(payload: BulkProposal) -> Iterable[tuple[str, BulkDewar]]:
    for s_index, shipping in enumerate(payload.shippings):
        for d_index, dewar in enumerate(shipping.dewars):
            yield f"shippings[{s_index}].dewars[{d_index}]", dewar


class BulkLoader:
    def __init__(self, db: Session, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.proposal_id = 0
        self.sessions: dict[int, int] = {}
        self.proteins: dict[str, int] = {}

    def _tally(self, table: str, existed: bool, count: int = 1) -> None:
        (self.updated if existed else self.created)[table] += count

    def load(self, payload: BulkProposal) -> BulkResult:
        check_request(payload, self.settings)
        existing = find_proposal(self.db, payload.proposalCode, payload.proposalNumber)
        proposal = save_proposal(self.db, payload, existing)
        self._tally("Proposal", existing is not None)
        self.proposal_id = proposal.proposalId
        self._sessions(payload)
        self._proteins(payload)
        shippings = self._shippings(payload.shippings)
        dewars = self._dewars(shippings)
        containers = self._containers(dewars)
        samples = self._samples(containers)
        groups = self._groups(samples)
        collections = self._collections(groups)
        programs = self._programs(collections)
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
            created=dict(self.created),
            updated=dict(self.updated),
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
                self._tally("BLSession", item.visit_number in self.sessions)
                session = save_session(self.db, self.proposal_id, item.visit_number, item)
                self.sessions[item.visit_number] = session.sessionId

    def _proteins(self, payload: BulkProposal) -> None:
        rows = self.db.scalars(select(Protein).where(Protein.proposalId == self.proposal_id))
        by_acronym = {protein.acronym: protein for protein in rows}
        for item in payload.proteins:
            protein = by_acronym.get(item.acronym)
            self._tally("Protein", protein is not None)
            if protein is None:
                protein = by_acronym[item.acronym] = Protein(proposalId=self.proposal_id)
                self.db.add(protein)
            assign(protein, fields(item, only_set=True) | {"acronym": item.acronym})
        self.db.flush()
        self.proteins = {acronym: protein.proteinId for acronym, protein in by_acronym.items()}

    def _shippings(self, items: Sequence[BulkShipping]) -> list[_Placed]:
        placed = []
        for index, item in enumerate(items):
            with at(f"shippings[{index}]"):
                shipping = find_shipping(self.db, self.proposal_id, item.shippingName)
                self._tally("Shipping", shipping is not None)
                existed = shipping is not None
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
                placed.append(_Placed(f"shippings[{index}]", item, self.proposal_id, shipping))
        return placed

    def _owned_elsewhere(self, row: Dewar | Container) -> bool:
        dewar = row if isinstance(row, Dewar) else row.Dewar
        return (
            dewar is None or dewar.Shipping is None or dewar.Shipping.proposalId != self.proposal_id
        )

    def _dewars(self, shippings: Sequence[_Placed]) -> list[_Placed]:
        placed = [
            _Placed(f"{s.path}.dewars[{i}]", item, s.row.shippingId)
            for s in shippings
            for i, item in enumerate(s.item.dewars)
        ]
        rows = self.db.scalars(
            select(Dewar)
            .options(selectinload(Dewar.Shipping))
            .where(Dewar.barCode.in_([p.item.barCode for p in placed]))
        )
        by_barcode = {dewar.barCode: dewar for dewar in rows}
        for entry in placed:
            item: BulkDewar = entry.item
            with at(entry.path):
                dewar = by_barcode.get(item.barCode)
                if dewar is not None and self._owned_elsewhere(dewar):
                    raise Conflict(
                        f"dewar barcode {item.barCode!r} belongs to another proposal", "barCode"
                    )
                self._tally("Dewar", dewar is not None)
                entry.row = dewar or Dewar()
                values = fields(
                    item, exclude={"containers", "firstExperiment"}, only_set=dewar is not None
                )
                assign(entry.row, values | {"barCode": item.barCode, "shippingId": entry.parent_id})
                if item.firstExperiment is not None:
                    entry.row.firstExperimentId = self._session_id(
                        item.firstExperiment, "firstExperiment"
                    )
                self.db.add(entry.row)
        self.db.flush()
        return placed

    def _containers(self, dewars: Sequence[_Placed]) -> list[_Placed]:
        placed = [
            _Placed(f"{d.path}.containers[{i}]", item, d.row.dewarId)
            for d in dewars
            for i, item in enumerate(d.item.containers)
        ]
        rows = self.db.scalars(
            select(Container)
            .options(selectinload(Container.Dewar).selectinload(Dewar.Shipping))
            .where(Container.barcode.in_([p.item.barcode for p in placed]))
        )
        by_barcode = {container.barcode: container for container in rows}
        for entry in placed:
            item: BulkContainer = entry.item
            with at(entry.path):
                container = by_barcode.get(item.barcode)
                if container is not None and self._owned_elsewhere(container):
                    raise Conflict(
                        f"container barcode {item.barcode!r} belongs to another proposal", "barcode"
                    )
                self._tally("Container", container is not None)
                entry.row = container or Container()
                values = fields(
                    item, exclude={"samples", "session"}, only_set=container is not None
                )
                assign(
                    entry.row,
                    values
                    | {
                        "barcode": item.barcode,
                        "code": item.code,
                        "containerType": item.containerType,
                        "capacity": item.capacity,
                        "dewarId": entry.parent_id,
                    },
                )
                entry.row.sessionId = self._session_id(item.session, "session")
                apply_container_rules(self.db, self.settings, entry.row, self.proposal_id)
                self.db.add(entry.row)
        self.db.flush()
        return placed

    def _samples(self, containers: Sequence[_Placed]) -> list[_Placed]:
        placed = [
            _Placed(f"{c.path}.samples[{i}]", item, c.row.containerId)
            for c in containers
            for i, item in enumerate(c.item.samples)
        ]
        rows = self.db.scalars(
            select(BLSample)
            .options(selectinload(BLSample.Crystal), selectinload(BLSample.DiffractionPlan))
            .where(BLSample.containerId.in_([c.row.containerId for c in containers]))
        )
        by_position = {(sample.containerId, sample.location): sample for sample in rows}
        writes = []
        for entry in placed:
            item: BulkSample = entry.item
            with at(f"{entry.path}.Crystal"):
                if item.Crystal.protein not in self.proteins:
                    raise RuleViolation(
                        f"protein {item.Crystal.protein!r} is not one of the proposal's", "protein"
                    )
            existing = by_position.get((entry.parent_id, str(item.location)))
            self._tally("BLSample", existing is not None)
            writes.append(
                SampleWrite(
                    entry.parent_id,
                    self.proteins[item.Crystal.protein],
                    item,
                    item.Crystal,
                    existing,
                )
            )
        for entry, sample in zip(placed, save_samples(self.db, writes), strict=True):
            entry.row = sample
        return placed

    def _groups(self, samples: Sequence[_Placed]) -> list[_Placed]:
        placed = [
            _Placed(f"{s.path}.dataCollectionGroups[{i}]", item, s.row.blSampleId)
            for s in samples
            for i, item in enumerate(s.item.dataCollectionGroups)
        ]
        rows = self.db.scalars(
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
                session_id = self._session_id(item.session, "session")
            group = by_key.get((entry.parent_id, session_id, item.startTime))
            self._tally("DataCollectionGroup", group is not None)
            entry.row = group or DataCollectionGroup()
            assign(
                entry.row,
                fields(item, exclude={"session", "dataCollections"})
                | {"blSampleId": entry.parent_id, "sessionId": session_id},
            )
            self.db.add(entry.row)
        self.db.flush()
        return placed

    def _collections(self, groups: Sequence[_Placed]) -> list[_Placed]:
        placed = [
            _Placed(f"{g.path}.dataCollections[{i}]", item, g.row.dataCollectionGroupId)
            for g in groups
            for i, item in enumerate(g.item.dataCollections)
        ]
        group_rows = {g.row.dataCollectionGroupId: g.row for g in groups}
        rows = self.db.scalars(
            select(DataCollection).where(DataCollection.dataCollectionGroupId.in_(group_rows))
        )
        by_key = {
            (c.dataCollectionGroupId, c.imageDirectory, c.imagePrefix, c.dataCollectionNumber): c
            for c in rows
        }
        for entry in placed:
            item: BulkDataCollection = entry.item
            key = (
                entry.parent_id,
                item.imageDirectory,
                item.imagePrefix,
                item.dataCollectionNumber,
            )
            collection = by_key.get(key)
            self._tally("DataCollection", collection is not None)
            entry.row = collection or DataCollection()
            fill_collection(entry.row, group_rows[entry.parent_id], item)
            self.db.add(entry.row)
        self.db.flush()
        return placed

    def _programs(self, collections: Sequence[_Placed]) -> dict[int, list[int]]:
        ids = [c.row.dataCollectionId for c in collections]
        rows = self.db.scalars(
            select(AutoProcProgram).where(AutoProcProgram.dataCollectionId.in_(ids))
        )
        by_key = {(p.dataCollectionId, p.processingPrograms): p for p in rows}
        writes = []
        for entry in collections:
            for item in entry.item.autoProcPrograms:
                existing = by_key.get((entry.row.dataCollectionId, item.processingPrograms))
                self._tally("AutoProcProgram", existing is not None)
                writes.append(ProcessingWrite(entry.row.dataCollectionId, item, existing))
        programs: dict[int, list[int]] = {}
        for write, created in zip(writes, save_processings(self.db, writes), strict=True):
            programs.setdefault(write.collection_id, []).append(created.autoProcProgramId)
        return programs
