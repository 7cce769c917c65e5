"""`sync` without servers: derived catalogue facts, the graph builder's errors, paging, failures."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from scicatlive.clients.http import AsyncSession, RetryPolicy
from scicatlive.clients.ispyb import PAGE_SIZE, read_all
from scicatlive.clients.target import Account, Target
from scicatlive.domain import model as m
from scicatlive.domain.derive import (
    COMPRESSION,
    attachment_size,
    image_files,
    infer_detector,
    infer_sample_changer,
)
from scicatlive.errors import ConfigError, ServiceError
from scicatlive.seeding import FacilityGraph
from scicatlive.sync import FacilityFacts, IspybDataError, ProposalRows, build_graph, sync
from tests.support.reporting import RecordingReporter

FAST = RetryPolicy(attempts=2, first_delay=0.01, max_delay=0.02)


def _by_beamline(
    graph: FacilityGraph,
) -> dict[str, tuple[list[m.DataCollection], list[m.Container]]]:
    found: dict[str, tuple[list[m.DataCollection], list[m.Container]]] = {
        b.beamLineName: ([], []) for b in graph.beamlines
    }
    for proposal in graph.proposals:
        for _, _, container in proposal.containers():
            if container.session is not None:
                found[proposal.session(container.session).beamLineName][1].append(container)
            for sample in container.samples:
                for group in sample.dataCollectionGroups:
                    found[proposal.session(group.session).beamLineName][0].extend(
                        group.dataCollections
                    )
    return found


@pytest.mark.parametrize("graph_name", ["tiny_graph", "training_graph", "demo_graph"])
def test_the_beamline_is_recognised_from_its_collections_and_pucks(
    graph_name: str, request: pytest.FixtureRequest
) -> None:
    graph: FacilityGraph = request.getfixturevalue(graph_name)
    for beamline in graph.beamlines:
        collections, containers = _by_beamline(graph)[beamline.beamLineName]
        assert infer_detector(collections).model == beamline.Detector.detectorModel
        assert infer_sample_changer(containers).name == beamline.sampleChangerType


def test_image_files_are_named_like_the_detector_writes_them(training_graph: FacilityGraph) -> None:
    """Eiger master + data files and Pilatus CBFs; sizes in the generator's range, times in the run."""
    formats = set()
    for collection in training_graph.data_collections():
        beamline = next(
            b for b in training_graph.beamlines if b.Detector.imageFormat == collection.imageSuffix
        )
        derived = image_files(collection, beamline.Detector)
        formats.add(collection.imageSuffix)
        assert [f.fileName for f in derived] == [f.fileName for f in collection.files]
        pixels = beamline.Detector.numberOfPixelsX * beamline.Detector.numberOfPixelsY
        per_image = int(pixels * 4 * COMPRESSION[collection.imageSuffix])
        images = sum(f.fileSize for f in derived if "master" not in f.fileName)
        assert images == pytest.approx(collection.numberOfImages * per_image, rel=1e-3)
        assert all(collection.startTime <= f.writtenAt <= collection.endTime for f in derived)
    assert formats == {"h5", "cbf"}


def test_only_mtz_sizes_are_estimated(tiny_graph: FacilityGraph) -> None:
    program = next(p for p in tiny_graph.processing_programs() if p.succeeded)
    overall = program.shell("overall")
    assert attachment_size("x_unmerged.mtz", "Result", overall) == overall.nTotalObservations * 48
    assert attachment_size("x_free.mtz", "Result", overall) == overall.nTotalUniqueObservations * 40
    assert attachment_size("xia2.log", "Log", overall) == 0
    assert attachment_size("x_free.mtz", "Result", None) == 0


# -- building the graph from rows ------------------------------------------------------------------


def _rows(**session: Any) -> ProposalRows:
    person = {
        "personId": 3, "login": "ada", "givenName": "Ada", "familyName": "Lovelace",
        "emailAddress": "ada@example.org",
        "Laboratory": {"laboratoryId": 1, "name": "Lab", "city": "Lund", "country": "Sweden"},
    }  # fmt: skip
    proposal = {
        "proposalId": 1, "proposalCode": "MX", "proposalNumber": "1", "proposal": "MX1",
        "title": "T", "proposalType": "MX", "state": "Open", "Person": person,
    }  # fmt: skip
    sessions = []
    if session:
        sessions.append(
            {"sessionId": 7, "visit_number": 1, "beamLineName": "BioMAX", "nbShifts": 3,
             "beamLineOperator": "Bob", "startDate": "2024-01-01T08:00:00",
             "endDate": "2024-01-02T08:00:00", **session}
        )  # fmt: skip
    return ProposalRows(proposal=proposal, sessions=sessions)


def test_a_minimal_proposal_becomes_a_graph_with_derived_ids() -> None:
    graph = build_graph([_rows(comments=None)], FacilityFacts())
    (proposal,) = graph.proposals
    assert proposal.members == ["ada"] and proposal.sessions[0].persons == []
    assert graph.beamlines[0].beamLineName == "BioMAX"
    assert graph.persons[0].externalId and proposal.externalId and proposal.sessions[0].externalId


def test_a_row_missing_a_required_value_names_entity_id_and_field() -> None:
    with pytest.raises(IspybDataError, match=r"ISPyB session 7 \(MX1-1\): startDate"):
        build_graph([_rows(startDate=None)], FacilityFacts())


def test_a_proposal_without_sessions_is_left_out_and_reported() -> None:
    notes = RecordingReporter()
    graph = build_graph([_rows()], FacilityFacts(), notes)
    assert graph.proposals == []
    assert notes.steps == ["ISPyB proposal MX1 has no session yet: left out"]


def _collected(graph: FacilityGraph, workflow: dict[str, Any] | None) -> ProposalRows:
    """One proposal's rows as ISPyB serves them: one sample collected once, in ``workflow``."""
    proposal = graph.proposals[0]
    container, sample = next((c, s) for c, s in proposal.samples() if s.dataCollectionGroups)
    group = sample.dataCollectionGroups[0]
    collection = group.dataCollections[0].model_copy(update={"autoProcPrograms": []})
    rows = _rows(comments=None)
    rows.shippings = [{"shippingId": 1, **proposal.shippings[0].model_dump(
        mode="json", exclude={"dewars", "sessions"})}]  # fmt: skip
    rows.dewars = [{"dewarId": 2, "shippingId": 1, "firstExperimentId": 7,
                    **proposal.shippings[0].dewars[0].model_dump(mode="json", exclude={"containers", "firstExperiment"})}]  # fmt: skip
    rows.containers = [{"containerId": 3, "dewarId": 2, "sessionId": 7,
                        **container.model_dump(mode="json", exclude={"samples", "session"})}]  # fmt: skip
    rows.samples = [{"blSampleId": 4, "containerId": 3,
                     **sample.model_dump(mode="json", exclude={"dataCollectionGroups", "Crystal"}),
                     "Crystal": {**sample.Crystal.model_dump(mode="json"), "Protein": {"acronym": sample.Crystal.protein}}}]  # fmt: skip
    rows.collections = [{"dataCollectionId": 5, "blSampleId": 4, "dataCollectionGroupId": 6,
                         **collection.model_dump(mode="json", exclude={"files", "published", "autoProcPrograms"}),
                         "DataCollectionGroup": {"dataCollectionGroupId": 6, "sessionId": 7,
                                                 "experimentType": group.experimentType, "workflowId": 8 if workflow else None,
                                                 "Workflow": workflow}}]  # fmt: skip
    return rows


def test_a_groups_workflow_is_read_from_its_nesting(tiny_graph: FacilityGraph) -> None:
    served = {"workflowId": 8, "workflowTitle": "MXPressE", "workflowType": "MXPressE",
              "status": "Success", "comments": None}  # fmt: skip
    for workflow, expected in ((served, m.Workflow(workflowTitle="MXPressE", workflowType="MXPressE",
                                                   status="Success")), (None, None)):  # fmt: skip
        graph = build_graph([_collected(tiny_graph, workflow)], FacilityFacts())
        (sample,) = list(graph.samples())
        assert sample.dataCollectionGroups[0].Workflow == expected
        assert sample.blSampleStatus == "processing"


def test_a_workflow_of_no_ispyb_type_names_the_workflow_and_its_group(tiny_graph: FacilityGraph) -> None:
    rows = _collected(tiny_graph, {"workflowId": 8, "workflowType": "MXPressZ"})
    with pytest.raises(IspybDataError, match=r"ISPyB workflow 8 of data collection group 6: workflowType: "):
        build_graph([rows], FacilityFacts())


# -- the client and the failures -------------------------------------------------------------------


def test_read_all_pages_until_the_total() -> None:
    total = PAGE_SIZE + 5
    asked: list[tuple[str, str]] = []

    def serve(request: httpx.Request) -> httpx.Response:
        skip, limit = int(request.url.params["skip"]), int(request.url.params["limit"])
        asked.append((request.url.params["skip"], request.url.params["proposal"]))
        rows = [{"n": n} for n in range(skip, min(total, skip + limit))]
        return httpx.Response(
            200, json={"total": total, "results": rows, "skip": skip, "limit": limit}
        )

    async def run() -> list[dict[str, Any]]:
        async with AsyncSession("http://ispyb.test", transport=httpx.MockTransport(serve)) as http:
            return await read_all(http, "samples", "samples of MX1", {"proposal": "MX1"})

    rows = asyncio.run(run())
    assert [r["n"] for r in rows] == list(range(total))
    assert asked == [("0", "MX1"), (str(PAGE_SIZE), "MX1")]


def test_a_reply_that_is_not_a_page_is_a_service_error() -> None:
    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=["not", "a", "page"])

    async def run() -> None:
        async with AsyncSession("http://ispyb.test", transport=httpx.MockTransport(serve)) as http:
            await read_all(http, "proposals", "proposals")

    with pytest.raises(ServiceError, match="read proposals from ISPyB: not a page of results"):
        asyncio.run(run())


def _nobody() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_an_unreachable_ispyb_is_a_service_error_naming_the_operation() -> None:
    nobody = _nobody()
    target = Target(backend_url=nobody, ispyb_url=nobody, accounts={"seeder": Account(password=SecretStr("x"))})
    with pytest.raises(ServiceError, match=rf"log in to ISPyB as seeder: ISPyB at {nobody} did not answer"):
        sync(target, account="seeder", retry=FAST)


def test_sync_needs_an_ispyb() -> None:
    target = Target(backend_url="http://x", accounts={"a": Account(password=SecretStr("b"))})
    with pytest.raises(ConfigError, match="sync reads ISPyB"):
        sync(target, account="a")
