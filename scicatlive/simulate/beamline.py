"""The beamline a day is played on, as ISPyB knows it: its detector, its sample changer, and a
proposal with pucks loaded in that changer.

What the facility (not MXCuBE) decides is read through scicatlive's own ISPyB client: which
proposal is scheduled, which pucks sit in the changer, and the detector, inferred from the
geometry of the beamline's recent collections with the sync's own rule
(``domain.derive.infer_detector``) so that simulated collections are consistent with
earlier ones. The detector is registered for MXCuBE's ``find_detector`` when ISPyB does
not know it yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients.http import Call, Session, json_body
from scicatlive.domain import model as m
from scicatlive.domain.derive import energy_range, infer_detector, infer_sample_changer
from scicatlive.domain.instruments import Detector
from scicatlive.errors import ConfigError, ServiceError
from scicatlive.seeding.providers.beamlines import BeamlineSpec
from scicatlive.sync.build import IspybDataError, build_model, container_model

Row = dict[str, Any]
SESSIONS_FOR_GEOMETRY = 5
COLLECTIONS_PER_SESSION = 100
DEFAULT_RESOLUTION = 2.0  # Å, for a sample without a diffraction plan


@dataclass(frozen=True)
class LoadedSample:
    """A pin in a puck of the beamline's sample changer."""

    sample_id: int
    name: str
    code: str
    position: int
    puck_slot: int
    container_barcode: str
    crystal: m.Crystal
    diffraction_limit: float
    experiment: str | None

    @property
    def acronym(self) -> str:
        return self.crystal.protein


@dataclass(frozen=True)
class BeamlineDay:
    beamline: BeamlineSpec
    proposal: str
    proposal_id: int
    code: str
    number: str
    title: str
    samples: list[LoadedSample]


def prepare(ispyb: Session, beamline: str, proposal: str | None) -> BeamlineDay:
    """The beamline's facts and the proposal whose pucks are in its changer (``proposal``, or one)."""
    sessions = ispyb.run(ispyb_api.page("sessions", f"sessions on {beamline}", {"beamLineName": beamline})).results
    if not sessions:
        known = sorted({str(s.get("beamLineName")) for s in ispyb.run(ispyb_api.page("sessions", "sessions")).results})
        raise ConfigError("--beamline", f"ISPyB has no session on beamline {beamline!r}; "
                          f"beamlines with sessions: {', '.join(known) or 'none (seed the stack first)'}")  # fmt: skip
    detector, energies = _geometry(ispyb, sessions)
    candidates = [proposal] if proposal else list(dict.fromkeys(str(s["proposal"]) for s in sessions))
    for name in candidates:
        pucks = in_changer([c for c in _rows(ispyb, "containers", f"pucks of {name}", {"proposal": name, "beamLineName": beamline})
                            if str(c.get("sampleChangerLocation") or "").isdigit()])  # fmt: skip
        samples = _loaded_samples(ispyb, name, pucks) if pucks else []
        if samples:
            row = _proposal_row(ispyb, name)
            changer = infer_sample_changer([container_model(c, name, None, []) for c in pucks])
            spec = BeamlineSpec(beamline, detector, changer, *energies)
            return BeamlineDay(spec, name, int(row["proposalId"]), str(row["proposalCode"]),
                               str(row["proposalNumber"]), str(row.get("title") or name), samples)  # fmt: skip
        if proposal:
            raise ConfigError("--proposal", f"no puck of {proposal} with samples is in the {beamline} sample changer",
                              hint="give a proposal whose pucks sit in the changer (`sampleChangerLocation`), or none")  # fmt: skip
    raise ConfigError("--beamline", f"no proposal has pucks with samples in the {beamline} sample changer",
                      hint="seed the stack (`scicatlive seed tiny`) or load pucks into the changer first")  # fmt: skip


def register_detector(ispyb: Session, detector: Detector, beamline: str) -> None:
    """The beamline's detector in ISPyB's ``Detector`` table, for MXCuBE's lookup (once)."""
    body = {
        "detectorManufacturer": detector.manufacturer, "detectorModel": detector.model,
        "detectorType": detector.detector_type, "detectorSerialNumber": f"{beamline}-{detector.model}"[:30],
        "detectorPixelSizeHorizontal": detector.pixel_size_mm, "detectorPixelSizeVertical": detector.pixel_size_mm,
        "detectorDistanceMin": detector.distance_min_mm, "detectorDistanceMax": detector.distance_max_mm,
        "localName": f"{beamline} detector"[:40],
    }  # fmt: skip
    ispyb.run(Call(f"register the {beamline} detector in ISPyB", "POST", f"{ispyb_api.ISPYB_API}/detectors",
                   json_body, json=body, tolerate=(409,)))  # fmt: skip


def _rows(ispyb: Session, path: str, what: str, query: dict[str, str]) -> list[Row]:
    rows: list[Row] = []
    while True:
        found = ispyb.run(ispyb_api.page(path, what, query, skip=len(rows)))
        rows += found.results
        if not found.results or len(rows) >= found.total:
            return rows


def _proposal_row(ispyb: Session, name: str) -> Row:
    found = _rows(ispyb, "proposals", f"proposal {name}", {"proposal": name})
    if not found:
        raise ConfigError("--proposal", f"ISPyB has no proposal {name}")
    return found[0]


def _geometry(ispyb: Session, sessions: list[Row]) -> tuple[Detector, tuple[float, float]]:
    """The detector and energy range the beamline's recent collections show."""
    used = [s for s in sessions if (s.get("_metadata") or {}).get("datacollections", 1)][:SESSIONS_FOR_GEOMETRY]
    collections: list[m.DataCollection] = []
    for session in used:
        query = {"sessionId": str(session["sessionId"])}
        page = ispyb.run(ispyb_api.page("datacollections", "data collections", query, limit=COLLECTIONS_PER_SESSION))
        for row in page.results:
            try:
                collections.append(build_model(m.DataCollection, "data collection", row, files=[], published=False,
                                               autoProcPrograms=[]))  # fmt: skip
            except IspybDataError:
                continue  # a collection still running, or written without its geometry
    return infer_detector(collections), energy_range(collections)


def in_changer(pucks: list[Row]) -> list[Row]:
    """The puck each changer slot holds, chosen as ISPyB resolves a robot action's slot: one whose
    dewar is being processed first, then the newest. A stack seeded with two recipes lists two
    pucks of a proposal for one slot; a sample from the other one is refused at its mount."""
    held: dict[str, Row] = {}
    for puck in pucks:
        slot = str(puck["sampleChangerLocation"])
        if slot not in held or _precedence(puck) > _precedence(held[slot]):
            held[slot] = puck
    return list(held.values())


def _precedence(puck: Row) -> tuple[bool, int]:
    return (puck.get("Dewar") or {}).get("dewarStatus") == "processing", int(puck["containerId"])


def _loaded_samples(ispyb: Session, proposal: str, pucks: list[Row]) -> list[LoadedSample]:
    slots = {int(c["containerId"]): (int(c["sampleChangerLocation"]), str(c["barcode"])) for c in pucks}
    found = []
    for row in _rows(ispyb, "samples", f"samples of {proposal}", {"proposal": proposal}):
        if int(row.get("containerId") or 0) not in slots:
            continue
        slot, barcode = slots[int(row["containerId"])]
        crystal: Row = row.get("Crystal") or {}
        plan: Row = row.get("DiffractionPlan") or {}
        try:
            model = build_model(m.Crystal, f"crystal of sample {row['blSampleId']}", crystal,
                                protein=(crystal.get("Protein") or {}).get("acronym"))  # fmt: skip
        except ServiceError:
            continue  # a crystal without its cell cannot be processed: the robot skips that pin
        found.append(LoadedSample(
            sample_id=int(row["blSampleId"]), name=str(row["name"]), code=str(row.get("code") or row["name"]),
            position=int(row["location"]), puck_slot=slot, container_barcode=barcode, crystal=model,
            diffraction_limit=float(plan.get("requiredResolution") or DEFAULT_RESOLUTION),
            experiment=plan.get("experimentKind"),
        ))  # fmt: skip
    return sorted(found, key=lambda s: (s.puck_slot, s.position))
