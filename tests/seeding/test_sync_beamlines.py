"""A beamline's detector is the same whichever collections a sync or a follower's batch read."""

from __future__ import annotations

from typing import Any

import pytest

from scicatlive.domain import model as m
from scicatlive.domain.derive import infer_detector
from scicatlive.seeding import FacilityGraph
from scicatlive.sync import FacilityFacts, ProposalRows, build_graph

BEAMLINE = "MicroMAX"  # demo's Eiger2 X 16M beamline
EIGER2 = {
    "detectorId": 4, "detectorType": "Photon counting", "detectorManufacturer": "DECTRIS",
    "detectorModel": "EIGER2 X 16M", "detectorPixelSizeHorizontal": 0.075, "detectorPixelSizeVertical": 0.075,
}  # fmt: skip


def _collections(graph: FacilityGraph) -> list[m.DataCollection]:
    return [
        collection
        for proposal in graph.proposals
        for _, _, container in proposal.containers()
        for sample in container.samples
        for group in sample.dataCollectionGroups
        if proposal.session(group.session).beamLineName == BEAMLINE
        for collection in group.dataCollections
    ]


def _row(collection: m.DataCollection, dc_id: int, **extra: Any) -> dict[str, Any]:
    row = collection.model_dump(mode="json", exclude={"files", "published", "autoProcPrograms"})
    group = {"dataCollectionGroupId": dc_id, "experimentType": "OSC", "sessionId": 7, "blSampleId": None}
    return {**row, "dataCollectionId": dc_id, "DataCollectionGroup": group, **extra}


def _batch(rows: list[dict[str, Any]]) -> ProposalRows:
    person = {
        "personId": 3, "login": "ada", "givenName": "Ada", "familyName": "Lovelace", "emailAddress": "ada@example.org",
        "Laboratory": {"laboratoryId": 1, "name": "Lab", "city": "Lund", "country": "Sweden"},
    }  # fmt: skip
    proposal = {
        "proposalId": 1, "proposalCode": "MX", "proposalNumber": "1", "proposal": "MX1",
        "title": "T", "proposalType": "MX", "state": "Open", "Person": person,
    }  # fmt: skip
    session = {
        "sessionId": 7, "visit_number": 1, "beamLineName": BEAMLINE, "nbShifts": 3, "beamLineOperator": "Bob",
        "startDate": "2024-01-01T08:00:00", "endDate": "2024-01-02T08:00:00",
    }  # fmt: skip
    return ProposalRows(proposal=proposal, sessions=[session], collections=rows)


@pytest.fixture(scope="module")
def misleading(demo_graph: FacilityGraph) -> list[m.DataCollection]:
    """Eiger2 X 16M collections whose geometry alone points at the Eiger 16M."""
    (beamline,) = [b for b in demo_graph.beamlines if b.beamLineName == BEAMLINE]
    assert beamline.Detector.detectorModel == "Eiger2 X 16M"
    found = [c for c in _collections(demo_graph) if infer_detector([c]).model != "Eiger2 X 16M"]
    assert found and infer_detector(found).model == "Eiger 16M"
    return found


def _detector(graph: m.FacilityGraph) -> str:
    (beamline,) = graph.beamlines
    return beamline.Detector.detectorModel


def test_a_small_batch_takes_the_detector_ispyb_holds(misleading: list[m.DataCollection]) -> None:
    rows = [_row(c, 100 + i, detectorId=4, Detector=EIGER2) for i, c in enumerate(misleading)]
    graph = build_graph([_batch(rows)], FacilityFacts())
    assert _detector(graph) == "Eiger2 X 16M"
    assert graph.beamlines[0].Detector.numberOfPixelsX == 4148  # the catalogue's, ISPyB has no pixel counts


def test_without_a_recorded_detector_the_beamline_is_inferred_from_its_reference_collections(
    demo_graph: FacilityGraph, misleading: list[m.DataCollection]
) -> None:
    batch = [_row(c, 100 + i) for i, c in enumerate(misleading)]
    reference = [_row(c, 1000 + i) for i, c in enumerate(_collections(demo_graph))]
    assert _detector(build_graph([_batch(batch)], FacilityFacts())) == "Eiger 16M"  # the batch alone misleads
    graph = build_graph([_batch(batch)], FacilityFacts(), references={BEAMLINE: reference})
    assert _detector(graph) == "Eiger2 X 16M"


def test_an_unknown_detector_model_without_pixel_counts_falls_back_to_the_inference(
    misleading: list[m.DataCollection],
) -> None:
    strange = {**EIGER2, "detectorModel": "Prototype 1"}
    rows = [_row(c, 100 + i, detectorId=4, Detector=strange) for i, c in enumerate(misleading)]
    assert _detector(build_graph([_batch(rows)], FacilityFacts())) == "Eiger 16M"
    counted = {**strange, "numberOfPixelsX": 1000, "numberOfPixelsY": 1200, "detectorDistanceMin": 90.0,
               "detectorDistanceMax": 700.0}  # fmt: skip
    rows = [_row(c, 100 + i, detectorId=4, Detector=counted) for i, c in enumerate(misleading)]
    graph = build_graph([_batch(rows)], FacilityFacts())
    assert _detector(graph) == "Prototype 1" and graph.beamlines[0].Detector.numberOfPixelsY == 1200
