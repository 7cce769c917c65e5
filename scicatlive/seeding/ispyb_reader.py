"""Read the facility back from ISPyB's API into the graph the generator produces.

``scicatlive sync`` maps what ISPyB *has* (not what a recipe would generate):
it logs in as an account with ``all_proposals``, pages through every proposal
and, per proposal, its sessions, proteins, shipments, dewars, pucks, samples,
data collections (``/events``) and auto-processing runs (with their
attachments), and assembles a :class:`~scicatlive.domain.model.FacilityGraph`.
That graph goes through the same ``map_graph`` as a generated one, so natural
keys give the same ids and pids as ``seed`` did.

What ISPyB's API does not serve is derived (``scicatlive.domain.derive``) or
taken from :class:`FacilityFacts`. Beyond the catalogue-only facts:

* Proposal members and session participants are not served (only counts): a
  proposal's members are its main proposer, sessions have no persons, and there
  is no staff list. Only ``SciCatPayloads.memberships`` is affected; no SciCat
  record depends on them (the proposal's ``metadata.members`` is the PI alone).
* A data collection group's times are its collections' first start and last
  end; its "actual" sample and puck fields come from the sample and its puck
  (slot 0 when the puck has no sample-changer slot).

Left out, and reported through the reporter: proposals without a session (a
SciCat proposal needs a measurement period), processing runs still running
(``processingStatus`` null; a later sync picks them up) and runs without
attachments (the derived dataset's folder is theirs).

Rows missing a value the graph requires stop the read with
:class:`IspybDataError`, naming the entity, its ISPyB id and the field.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scicatlive.clients.ispyb import IspybApi
from scicatlive.errors import ServiceError
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.domain import model as m
from scicatlive.domain.derive import (
    attachment_size,
    derive_beamline,
    external_id,
    image_files,
    puck_capacity,
)
from scicatlive.seeding.recipe import Facility as RecipeFacility
from scicatlive.seeding.recipe import People, Recipe

Row = dict[str, Any]
GraphT = TypeVar("GraphT", bound=m.GraphModel)
T = TypeVar("T")

_SHELL_ORDER = {"overall": 0, "innerShell": 1, "outerShell": 2}
_PROCESSING_STATUS = {1: "SUCCESS", 0: "FAILED"}


class IspybDataError(ServiceError):
    """An ISPyB row lacks (or has a wrong) value the facility graph needs."""


class FacilityFacts(BaseModel):
    """What the graph needs that ISPyB does not hold: the facility, and its staff group.

    ``site`` seeds every id: it must be the site ``seed`` used (the recipe's
    ``facility.site``; the bundled recipes and the profiles' ``stack.site`` default
    to ``SCICATLIVE``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    site: str = Field(default=RecipeFacility().site, min_length=1)
    name: str = RecipeFacility().name
    data_root: str = RecipeFacility().data_root
    staff_group: str = str(People.model_fields["staff_group"].default)

    @classmethod
    def from_recipe(cls, recipe: Recipe) -> FacilityFacts:
        """The facts of the facility a recipe generated (so sync matches that seed exactly)."""
        return cls(
            site=recipe.facility.site,
            name=recipe.facility.name,
            data_root=recipe.facility.data_root,
            staff_group=recipe.people.staff_group,
        )


# -- reading ------------------------------------------------------------------------------------


@dataclass
class ProposalRows:
    """Everything ISPyB serves about one proposal, as JSON rows."""

    proposal: Row
    sessions: list[Row] = field(default_factory=list)
    proteins: list[Row] = field(default_factory=list)
    shippings: list[Row] = field(default_factory=list)
    dewars: list[Row] = field(default_factory=list)
    containers: list[Row] = field(default_factory=list)
    samples: list[Row] = field(default_factory=list)
    collections: list[Row] = field(default_factory=list)
    programs: dict[int, list[Row]] = field(
        default_factory=dict, metadata={"doc": "by dataCollectionId"}
    )
    attachments: dict[int, list[Row]] = field(
        default_factory=dict, metadata={"doc": "by autoProcProgramId"}
    )

    @property
    def name(self) -> str:
        return str(self.proposal["proposal"])


async def read_facility(
    api: IspybApi, facts: FacilityFacts | None = None, reporter: Reporter | None = None
) -> m.FacilityGraph:
    """The facility ISPyB holds, as the generator would have described it."""
    reporter = reporter or SilentReporter()
    rows = await read_rows(api, reporter)
    return build_graph(rows, facts or FacilityFacts(), reporter)


async def read_rows(api: IspybApi, reporter: Reporter) -> list[ProposalRows]:
    """Every proposal's rows; proposals are read concurrently (the client bounds it)."""
    proposals = await api.read_all("proposals", "proposals")
    done = 0
    reporter.progress("ISPyB proposals read", 0, len(proposals))

    async def one(row: Row) -> ProposalRows:
        nonlocal done
        read = await _read_proposal(api, row)
        done += 1
        reporter.progress("ISPyB proposals read", done, len(proposals))
        return read

    return await _all([one(row) for row in sorted(proposals, key=lambda r: int(r["proposalId"]))])


async def _read_proposal(api: IspybApi, proposal: Row) -> ProposalRows:
    rows = ProposalRows(proposal)
    name, query = rows.name, {"proposal": rows.name}
    lists = ("sessions", "proteins", "shippings", "dewars", "containers", "samples")
    *tables, events = await _all(
        [api.read_all(path, f"{path} of {name}", query) for path in lists]
        + [api.read_all("events", f"data collections of {name}", query)]
    )
    for path, table in zip(lists, tables, strict=True):
        setattr(rows, path, table)
    rows.collections = await _collections(api, name, events)
    program_lists = await _all(
        [
            api.read_all("processings/auto-integrations", f"processing of data collection {dc_id}",
                         {"dataCollectionId": str(dc_id)})
            for dc_id in (int(c["dataCollectionId"]) for c in rows.collections)
        ]
    )  # fmt: skip
    rows.programs = {
        int(c["dataCollectionId"]): runs
        for c, runs in zip(rows.collections, program_lists, strict=True)
    }
    with_files = [
        p
        for runs in program_lists
        for p in runs
        if (p.get("_metadata") or {}).get("attachments", 1)
    ]
    attachment_lists = await _all(
        [
            api.read_all("processings/attachments", f"attachments of processing run {p['autoProcProgramId']}",
                         {"autoProcProgramId": str(p["autoProcProgramId"])})
            for p in with_files
        ]
    )  # fmt: skip
    rows.attachments = {
        int(p["autoProcProgramId"]): files
        for p, files in zip(with_files, attachment_lists, strict=True)
    }
    return rows


async def _collections(api: IspybApi, proposal: str, events: list[Row]) -> list[Row]:
    """The data collections of ``/events`` (one per group), plus the rest of groups holding more."""
    collections = {int(e["Item"]["dataCollectionId"]): e["Item"] for e in events}
    crowded = [
        int(e["Item"]["dataCollectionGroupId"]) for e in events if int(e.get("count", 1)) > 1
    ]
    members = await _all(
        [
            api.read_all("events", f"data collections of group {group} ({proposal})",
                         {"proposal": proposal, "dataCollectionGroupId": str(group)})
            for group in crowded
        ]
    )  # fmt: skip
    for group_events in members:
        collections |= {int(e["Item"]["dataCollectionId"]): e["Item"] for e in group_events}
    return [collections[key] for key in sorted(collections)]


async def _all(calls: Sequence[Awaitable[T]]) -> list[T]:
    """Await concurrently; the first failure cancels the rest and is raised as itself."""
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_awaited(call)) for call in calls]
    except BaseExceptionGroup as failures:
        raise _first(failures) from None
    return [task.result() for task in tasks]


async def _awaited(call: Awaitable[T]) -> T:
    return await call


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error = group.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


# -- building the graph ---------------------------------------------------------------------------


def build_graph(
    rows: Sequence[ProposalRows], facts: FacilityFacts, reporter: Reporter | None = None
) -> m.FacilityGraph:
    """The facility graph of ISPyB's rows (pure: no I/O)."""
    note = (reporter or SilentReporter()).step
    usable = []
    for proposal in rows:
        if proposal.sessions:
            usable.append(proposal)
        else:
            note(f"ISPyB proposal {proposal.name} has no session yet: left out")
    bare = {key: value for proposal in usable for key, value in _bare_collections(proposal).items()}
    beamlines = _beamlines(usable, bare)
    proposals = [_ProposalBuilder(p, facts, bare, beamlines, note).proposal() for p in usable]
    persons = {p.login: p for p in (_principal(row.proposal, facts) for row in usable)}
    return m.FacilityGraph(
        recipe="sync",
        seed=0,
        facility=m.Facility(name=facts.name, site=facts.site, dataRoot=facts.data_root),
        staffGroup=facts.staff_group,
        beamlines=list(beamlines.values()),
        persons=list(persons.values()),
        staff=[],
        proposals=proposals,
    )


def _build(kind: type[GraphT], what: str, row: Row, **given: Any) -> GraphT:
    """A graph model from an ISPyB row: its own columns (empty ones left to defaults) plus ``given``."""
    fields = kind.model_fields
    values = {
        name: value
        for name, value in row.items()
        if name in fields
        and name not in given
        and (value is not None or fields[name].is_required())
    }
    try:
        return kind(**values, **given)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5]
        )
        raise IspybDataError(f"ISPyB {what}: {problems}") from None


def _principal(proposal: Row, facts: FacilityFacts) -> m.Person:
    person: Row = proposal.get("Person") or {}
    what = f"main proposer (person {person.get('personId')}) of proposal {proposal['proposal']}"
    laboratory = _build(m.Laboratory, f"laboratory of the {what}", person.get("Laboratory") or {})
    login = str(person.get("login"))
    return _build(
        m.Person,
        what,
        person,
        Laboratory=laboratory,
        externalId=external_id(facts.site, "person", login),
    )


def _bare_collections(rows: ProposalRows) -> dict[int, tuple[str, m.DataCollection]]:
    """Each collection without its files and processing, with its session's beamline."""
    beamline_of = {int(s["sessionId"]): str(s.get("beamLineName")) for s in rows.sessions}
    bare = {}
    for row in rows.collections:
        dc_id = int(row["dataCollectionId"])
        collection = _build(
            m.DataCollection, f"data collection {dc_id} of {rows.name}", row,
            files=[], published=False, autoProcPrograms=[],
        )  # fmt: skip
        bare[dc_id] = (beamline_of[int(row["DataCollectionGroup"]["sessionId"])], collection)
    return bare


def _beamlines(
    proposals: Sequence[ProposalRows],
    bare: dict[int, tuple[str, m.DataCollection]],
) -> dict[str, m.Beamline]:
    """Every beamline a session used, in order of first use, derived from its data."""
    names = list(
        dict.fromkeys(
            str(s.get("beamLineName")) for p in proposals for s in _by_id(p.sessions, "sessionId")
        )
    )
    containers: dict[str, list[m.Container]] = {name: [] for name in names}
    for proposal in proposals:
        beamline_of = {int(s["sessionId"]): str(s.get("beamLineName")) for s in proposal.sessions}
        for row in proposal.containers:
            beamline = beamline_of.get(int(row.get("sessionId") or 0)) or row.get(
                "beamlineLocation"
            )
            if beamline in containers:
                containers[beamline].append(_container(row, proposal.name, None, []))
    return {
        name: derive_beamline(name, [c for b, c in bare.values() if b == name], containers[name])
        for name in names
    }


def _container(
    row: Row, proposal: str, session: int | None, samples: list[m.BLSample]
) -> m.Container:
    kind = str(row.get("containerType"))
    return _build(
        m.Container, f"container {row['containerId']} ({row.get('barcode')}) of {proposal}", row,
        capacity=puck_capacity(kind, row.get("capacity")), session=session, samples=samples,
    )  # fmt: skip


def _by_id(rows: Iterable[Row], key: str) -> list[Row]:
    """Rows in creation order (ISPyB ids grow)."""
    return sorted(rows, key=lambda row: int(row[key]))


def _grouped(rows: Iterable[Row], parent: str, key: str) -> dict[int, list[Row]]:
    groups: dict[int, list[Row]] = {}
    for row in _by_id(rows, key):
        if row.get(parent) is not None:
            groups.setdefault(int(row[parent]), []).append(row)
    return groups


class _ProposalBuilder:
    """One proposal's rows → its graph, children before parents."""

    def __init__(
        self,
        rows: ProposalRows,
        facts: FacilityFacts,
        bare: dict[int, tuple[str, m.DataCollection]],
        beamlines: dict[str, m.Beamline],
        note: Callable[[str], None],
    ) -> None:
        self.rows, self.facts, self.note = rows, facts, note
        self.bare, self.beamlines = bare, beamlines
        self.name = rows.name
        self.visits = {int(s["sessionId"]): int(s["visit_number"]) for s in rows.sessions}
        self.dewars = _grouped(rows.dewars, "shippingId", "dewarId")
        self.containers = _grouped(rows.containers, "dewarId", "containerId")
        self.samples = _grouped(rows.samples, "containerId", "blSampleId")
        self.collections = _grouped(rows.collections, "blSampleId", "dataCollectionId")

    def visit(self, session_id: Any, what: str) -> int:
        if session_id is None or int(session_id) not in self.visits:
            raise IspybDataError(
                f"ISPyB {what}: session {session_id} is not a session of {self.name}"
            )
        return self.visits[int(session_id)]

    def proposal(self) -> m.Proposal:
        row = self.rows.proposal
        principal = _principal(row, self.facts)
        return _build(
            m.Proposal, f"proposal {row['proposalId']} ({self.name})", row,
            personLogin=principal.login, members=[principal.login],
            sessions=[self.session(s) for s in sorted(self.rows.sessions, key=lambda s: int(s["visit_number"]))],
            proteins=[self.protein(p) for p in _by_id(self.rows.proteins, "proteinId")],
            shippings=[self.shipping(s) for s in _by_id(self.rows.shippings, "shippingId")],
            externalId=external_id(self.facts.site, "proposal", self.name),
        )  # fmt: skip

    def session(self, row: Row) -> m.BLSession:
        key = f"{self.name}-{row['visit_number']}"
        return _build(
            m.BLSession, f"session {row['sessionId']} ({key})", row,
            persons=[], externalId=external_id(self.facts.site, "session", key),
        )  # fmt: skip

    def protein(self, row: Row) -> m.Protein:
        key = f"{self.name}/{row.get('acronym')}"
        return _build(
            m.Protein,
            f"protein {row['proteinId']} ({key})",
            row,
            externalId=external_id(self.facts.site, "protein", key),
        )

    def shipping(self, row: Row) -> m.Shipping:
        what = f"shipping {row['shippingId']} ({row.get('shippingName')})"
        sessions = (row.get("_metadata") or {}).get("sessions", [])
        return _build(
            m.Shipping, what, row,
            sessions=[self.visit(s, what) for s in sessions],
            dewars=[self.dewar(d) for d in self.dewars.get(int(row["shippingId"]), [])],
        )  # fmt: skip

    def dewar(self, row: Row) -> m.Dewar:
        what = f"dewar {row['dewarId']} ({row.get('barCode')})"
        return _build(
            m.Dewar, what, row,
            firstExperiment=self.visit(row.get("firstExperimentId"), what),
            containers=[self.container(c) for c in self.containers.get(int(row["dewarId"]), [])],
        )  # fmt: skip

    def container(self, row: Row) -> m.Container:
        what = f"container {row['containerId']} ({row.get('barcode')})"
        session = None if row.get("sessionId") is None else self.visit(row["sessionId"], what)
        container = _container(row, self.name, session, [])
        samples = [self.sample(s, container) for s in self.samples.get(int(row["containerId"]), [])]
        return container.model_copy(update={"samples": samples})

    def sample(self, row: Row, container: m.Container) -> m.BLSample:
        what = f"sample {row['blSampleId']} ({row.get('name')})"
        crystal: Row = row.get("Crystal") or {}
        acronym = (crystal.get("Protein") or {}).get("acronym")
        sample = _build(
            m.BLSample, what, row,
            Crystal=_build(m.Crystal, f"crystal of {what}", crystal, protein=acronym),
            DiffractionPlan=_build(m.DiffractionPlan, f"diffraction plan of {what}", row.get("DiffractionPlan") or {}),
            dataCollectionGroups=[],
        )  # fmt: skip
        groups = _grouped(
            self.collections.get(int(row["blSampleId"]), []),
            "dataCollectionGroupId",
            "dataCollectionId",
        )
        return sample.model_copy(
            update={
                "dataCollectionGroups": [
                    self.group(rows, sample, container) for rows in groups.values()
                ]
            }
        )

    def group(
        self, rows: list[Row], sample: m.BLSample, container: m.Container
    ) -> m.DataCollectionGroup:
        ref: Row = rows[0]["DataCollectionGroup"]
        what = f"data collection group {ref['dataCollectionGroupId']}"
        collections = [self.collection(int(row["dataCollectionId"])) for row in rows]
        slot = container.sampleChangerLocation or ""
        return _build(
            m.DataCollectionGroup, what, ref,
            session=self.visit(ref.get("sessionId"), what),
            startTime=min(c.startTime for c in collections),
            endTime=max(c.endTime for c in collections),
            actualSampleBarcode=sample.code,
            actualSampleSlotInContainer=sample.location,
            actualContainerBarcode=container.barcode,
            actualContainerSlotInSC=int(slot) if slot.isdigit() else 0,
            dataCollections=collections,
        )  # fmt: skip

    def collection(self, dc_id: int) -> m.DataCollection:
        beamline, bare = self.bare[dc_id]
        programs = [
            self.program(run, dc_id)
            for run in _by_id(self.rows.programs.get(dc_id, []), "autoProcProgramId")
        ]
        return bare.model_copy(
            update={
                "files": image_files(bare, self.beamlines[beamline].Detector),
                "autoProcPrograms": [p for p in programs if p is not None],
            }
        )

    def program(self, row: Row, dc_id: int) -> m.AutoProcProgram | None:
        run_id = int(row["autoProcProgramId"])
        what = (
            f"processing run {run_id} ({row.get('processingPrograms')}) of data collection {dc_id}"
        )
        status = _PROCESSING_STATUS.get(row.get("processingStatus"))  # type: ignore[arg-type]
        files = _by_id(self.rows.attachments.get(run_id, []), "autoProcProgramAttachmentId")
        if status is None or not files:
            self.note(
                f"ISPyB {what}: {'still running' if status is None else 'has no attachments'}: left out"
            )
            return None
        integration, auto_proc, shells = _integration_rows(row)
        statistics = [
            _build(
                m.AutoProcScalingStatistics, f"{s.get('scalingStatisticsType')} shell of {what}", s
            )
            for s in sorted(
                shells, key=lambda s: _SHELL_ORDER.get(str(s.get("scalingStatisticsType")), 3)
            )
        ]
        overall = next((s for s in statistics if s.scalingStatisticsType == "overall"), None)
        return _build(
            m.AutoProcProgram, what, row,
            processingStatus=status,
            AutoProc=None if auto_proc is None else _build(m.AutoProc, f"AutoProc of {what}", auto_proc),
            AutoProcIntegration=_build(m.AutoProcIntegration, f"integration of {what}", integration),
            AutoProcScalingStatistics=statistics,
            attachments=[self.attachment(f, what, overall) for f in files],
        )  # fmt: skip

    @staticmethod
    def attachment(
        row: Row, what: str, overall: m.AutoProcScalingStatistics | None
    ) -> m.AutoProcProgramAttachment:
        name, kind = str(row.get("fileName")), str(row.get("fileType"))
        return _build(
            m.AutoProcProgramAttachment, f"attachment {row['autoProcProgramAttachmentId']} of {what}", row,
            fileSize=attachment_size(name, kind, overall), content=None,
        )  # fmt: skip


def _integration_rows(program: Row) -> tuple[Row, Row | None, list[Row]]:
    """The run's integration, its AutoProc (if any) and its statistics shells (py-ISPyB's nesting)."""
    integrations: list[Row] = program.get("AutoProcIntegration") or [{}]
    integration = integrations[0]
    links: list[Row] = integration.get("AutoProcScalingHasInt") or []
    scaling: Row = links[0]["AutoProcScaling"] if links else {}
    return (
        integration,
        scaling.get("AutoProc"),
        list(scaling.get("AutoProcScalingStatistics") or []),
    )


__all__ = [
    "FacilityFacts",
    "IspybDataError",
    "ProposalRows",
    "build_graph",
    "read_facility",
    "read_rows",
]
