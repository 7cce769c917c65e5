"""Each beamline of ISPyB's rows, the same whichever rows a sync or a follower's batch read.

The detector comes from ISPyB itself where it holds one: a data collection's ``detectorId``
points at a ``Detector`` row (served nested as ``Detector`` on the collection), and the
newest collection that has one names the beamline's detector. Only a beamline whose
collections carry no detector falls back to the geometric inference
(:func:`scicatlive.domain.derive.infer_detector`), and then on a fixed set of the
beamline's collections (its :data:`REFERENCE_COLLECTIONS` oldest in ISPyB, read once per
beamline), not on the batch at hand: nearly identical detectors (Eiger 16M and Eiger2 X 16M)
are told apart by a few collections differently than by all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scicatlive.clients.http import AsyncSession
from scicatlive.clients.ispyb import page
from scicatlive.domain import model as m
from scicatlive.domain.derive import derive_beamline, detector_model
from scicatlive.domain.instruments import DETECTORS
from scicatlive.sync.build import IspybDataError, build_model, by_id, container_model, running
from scicatlive.sync.rows import ProposalRows, Row

REFERENCE_COLLECTIONS = 200  # a beamline's oldest collections the fallback inference uses

References = Mapping[str, Sequence[Row]]


def beamline_names(proposals: Iterable[ProposalRows]) -> list[str]:
    """Every beamline a session used, in order of first use."""
    return list(
        dict.fromkeys(
            str(s.get("beamLineName")) for p in proposals for s in by_id(p.sessions, "sessionId")
        )
    )


async def read_references(api: AsyncSession, beamlines: Iterable[str]) -> dict[str, list[Row]]:
    """Each beamline's :data:`REFERENCE_COLLECTIONS` oldest collections (``/events`` lists newest first)."""
    found: dict[str, list[Row]] = {}
    for name in beamlines:
        what = f"data collections of beamline {name}"
        query = {"beamLineName": name}
        total = (await api.run(page("events", what, query, limit=1))).total
        skip = max(0, total - REFERENCE_COLLECTIONS)
        oldest = (await api.run(page("events", what, query, skip=skip, limit=REFERENCE_COLLECTIONS))).results
        found[name] = [e["Item"] for e in oldest if e.get("type", "dc") == "dc"]
    return found


class ReferenceCache:
    """Beamlines' reference collections, read once for as long as a follower lives."""

    def __init__(self) -> None:
        self.known: dict[str, list[Row]] = {}

    async def covering(self, api: AsyncSession, rows: ProposalRows) -> dict[str, list[Row]]:
        missing = [name for name in beamline_names([rows]) if name not in self.known]
        self.known |= await read_references(api, missing)
        return self.known


def recorded_detector(collections: Iterable[Row]) -> m.Detector | None:
    """The detector ISPyB holds for the newest of these collections that has one."""
    newest = sorted(collections, key=lambda row: int(row.get("dataCollectionId") or 0), reverse=True)
    for row in newest:
        detector = ispyb_detector(row.get("Detector"), str(row.get("imageSuffix") or ""))
        if detector is not None:
            return detector
    return None


def ispyb_detector(row: Row | None, image_suffix: str) -> m.Detector | None:
    """ISPyB's ``Detector`` row as the graph's detector: the catalogue's for a model it knows,
    else the row's own columns when it has the pixel counts (DLS's schema), else ``None``."""
    if not row or not row.get("detectorModel"):
        return None
    wanted = _plain(str(row["detectorModel"]))
    for detector in DETECTORS.values():
        if _plain(detector.model) == wanted:
            return detector_model(detector)
    if not row.get("numberOfPixelsX") or not row.get("numberOfPixelsY"):
        return None
    return build_model(
        m.Detector, f"detector {row.get('detectorId')}", row,
        imageFormat="cbf" if image_suffix == "cbf" else "h5",
    )  # fmt: skip


def _plain(model: str) -> str:
    return "".join(model.split()).casefold()


def beamlines(
    proposals: Sequence[ProposalRows],
    bare: Mapping[int, tuple[str, m.DataCollection]],
    references: References | None = None,
) -> dict[str, m.Beamline]:
    """Every beamline a session used, in order of first use (see the module's docstring)."""
    names = beamline_names(proposals)
    containers: dict[str, list[m.Container]] = {name: [] for name in names}
    collection_rows: dict[str, list[Row]] = {name: [] for name in names}
    for proposal in proposals:
        beamline_of = {int(s["sessionId"]): str(s.get("beamLineName")) for s in proposal.sessions}
        for row in proposal.containers:
            beamline = beamline_of.get(int(row.get("sessionId") or 0)) or row.get("beamlineLocation")
            if beamline in containers:
                containers[beamline].append(container_model(row, proposal.name, None, []))
        for row in proposal.collections:
            if int(row["dataCollectionId"]) in bare:
                collection_rows[bare[int(row["dataCollectionId"])][0]].append(row)
    found = {}
    for name in names:
        reference = list((references or {}).get(name) or [])
        batch = [c for b, c in bare.values() if b == name]
        usable = [c for c in (_bare(row, name) for row in reference) if c is not None]
        sample = usable or batch
        beamline = derive_beamline(name, sample, containers[name])
        detector = recorded_detector([*collection_rows[name], *reference])
        found[name] = beamline if detector is None else beamline.model_copy(update={"Detector": detector})
    return found


def _bare(row: Row, beamline: str) -> m.DataCollection | None:
    """A reference collection, or ``None`` for one still running or unusable: its own
    batch reports a bad row; here it would stop every batch on the beamline."""
    if running(row):
        return None
    try:
        return build_model(
            m.DataCollection, f"data collection {row.get('dataCollectionId')} of beamline {beamline}", row,
            files=[], published=False, autoProcPrograms=[],
        )  # fmt: skip
    except IspybDataError:
        return None
