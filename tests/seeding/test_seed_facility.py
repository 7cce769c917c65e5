"""The generated facility obeys ISPyB's rules and the recipe's proportions."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from scicatlive.seeding import FacilityGraph, Recipe
from scicatlive.seeding.providers import (
    DETECTORS,
    PUCK_CAPACITY,
    SAMPLE_CHANGERS,
    bragg_resolution,
    corner_radius,
    edge_radius,
)
from scicatlive.seeding.providers.collections import IMAGES_PER_DATA_FILE

GRAPHS = ["tiny_graph", "demo_graph", "training_graph"]


@pytest.fixture(params=GRAPHS)
def graph(request: pytest.FixtureRequest) -> FacilityGraph:
    return request.getfixturevalue(request.param)


def test_pucks_hold_what_their_type_holds(graph: FacilityGraph) -> None:
    for container in graph.containers():
        assert (
            container.capacity
            == PUCK_CAPACITY[container.containerType]
            == {"Unipuck": 16, "Spinepuck": 10}[container.containerType]
        )
        locations = [sample.location for sample in container.samples]
        assert len(locations) == len(set(locations)), container.barcode
        assert all(1 <= location <= container.capacity for location in locations)
        assert 1 <= len(locations) <= container.capacity


def test_pucks_sit_in_distinct_slots_of_a_changer_that_takes_them(graph: FacilityGraph) -> None:
    for proposal in graph.proposals:
        slots: Counter[tuple[int, str]] = Counter()
        for _, _, container in proposal.containers():
            if container.sampleChangerLocation is None:
                assert not any(s.dataCollectionGroups for s in container.samples)
                continue
            session = proposal.session(container.session or 0)
            changer = SAMPLE_CHANGERS[graph.beamline(session.beamLineName).sampleChangerType]
            assert container.containerType in changer.puck_types
            assert 1 <= int(container.sampleChangerLocation) <= changer.puck_slots
            assert container.beamlineLocation == session.beamLineName
            slots[(session.visit_number, container.sampleChangerLocation)] += 1
        assert all(count == 1 for count in slots.values())


def test_natural_keys_are_unique(graph: FacilityGraph) -> None:
    def unique(values: list[str]) -> bool:
        return len(values) == len(set(values))

    assert unique([p.login for p in graph.persons])
    assert unique([p.proposal for p in graph.proposals])
    assert unique([d.barCode for p in graph.proposals for s in p.shippings for d in s.dewars])
    assert unique([c.barcode for c in graph.containers()])
    assert unique([s.code for s in graph.samples()])
    assert unique([c.natural_key for c in graph.data_collections()])
    for collection in graph.data_collections():
        assert unique([p.processingPrograms for p in collection.autoProcPrograms])
    for proposal in graph.proposals:
        assert unique([p.acronym for p in proposal.proteins])
        assert unique([s.shippingName for s in proposal.shippings])
        assert [s.visit_number for s in proposal.sessions] == list(
            range(1, len(proposal.sessions) + 1)
        )


def test_collections_happen_inside_their_session(graph: FacilityGraph) -> None:
    for proposal in graph.proposals:
        for _, sample in proposal.samples():
            for group in sample.dataCollectionGroups:
                session = proposal.session(group.session)
                for collection in group.dataCollections:
                    assert (
                        session.startDate
                        <= collection.startTime
                        < collection.endTime
                        <= session.endDate
                    )
                    for program in collection.autoProcPrograms:
                        assert (
                            collection.endTime
                            < program.processingStartTime
                            < program.processingEndTime
                        )


def test_collection_physics(graph: FacilityGraph) -> None:
    for proposal in graph.proposals:
        for _, sample in proposal.samples():
            for group in sample.dataCollectionGroups:
                beamline = graph.beamline(proposal.session(group.session).beamLineName)
                detector = DETECTORS[beamline.Detector.detectorModel]
                for dc in group.dataCollections:
                    assert dc.wavelength * dc.energy == pytest.approx(12.398, abs=1e-3)
                    assert beamline.energyMin - 1e-3 <= dc.energy <= beamline.energyMax + 1e-3
                    edge = bragg_resolution(
                        dc.wavelength,
                        dc.detectorDistance,
                        edge_radius(detector, dc.xBeam, dc.yBeam),
                    )
                    corner = bragg_resolution(
                        dc.wavelength,
                        dc.detectorDistance,
                        corner_radius(detector, dc.xBeam, dc.yBeam),
                    )
                    assert dc.resolution == pytest.approx(edge, abs=1e-3)
                    assert dc.resolutionAtCorner == pytest.approx(corner, abs=1e-3)
                    assert dc.numberOfImages == round((dc.axisEnd - dc.axisStart) / dc.axisRange)
                    if dc.imageSuffix == "h5":
                        assert len(dc.files) == 1 + math.ceil(
                            dc.numberOfImages / IMAGES_PER_DATA_FILE
                        )
                        assert dc.files[0].fileName == dc.fileTemplate
                    else:
                        assert len(dc.files) == dc.numberOfImages
                    assert all(dc.startTime <= f.writtenAt <= dc.endTime for f in dc.files)


def test_processing_results_match_their_collection(graph: FacilityGraph) -> None:
    for sample in graph.samples():
        for group in sample.dataCollectionGroups:
            for dc in group.dataCollections:
                if not dc.succeeded:
                    assert dc.autoProcPrograms == []
                for program in dc.autoProcPrograms:
                    assert program.AutoProcIntegration.endImageNumber == dc.numberOfImages
                    if not program.succeeded:
                        assert program.AutoProc is None and program.AutoProcScalingStatistics == []
                        continue
                    assert program.AutoProc is not None
                    assert program.AutoProc.spaceGroup.replace(" ", "") == sample.Crystal.spaceGroup
                    shells = [s.scalingStatisticsType for s in program.AutoProcScalingStatistics]
                    assert sorted(shells) == ["innerShell", "outerShell", "overall"]
                    overall, outer = program.shell("overall"), program.shell("outerShell")
                    # the data cannot reach beyond the detector corner
                    assert overall.resolutionLimitHigh >= dc.resolutionAtCorner
                    assert outer.rMerge > overall.rMerge > program.shell("innerShell").rMerge
                    assert overall.anomalous is (group.experimentType == "SAD")


def _close(observed: float, expected: float, tolerance: float) -> None:
    assert abs(observed - expected) <= tolerance, (
        f"{observed:.3f} is not within {tolerance} of {expected}"
    )


def test_recipe_proportions_hold_statistically(
    demo_graph: FacilityGraph, demo_recipe: Recipe
) -> None:
    containers = list(demo_graph.containers())
    filled = sum(len(c.samples) for c in containers) / sum(c.capacity for c in containers)
    _close(filled, demo_recipe.shipments.fill_ratio, 0.05)

    spine = sum(c.containerType == "Spinepuck" for c in containers) / len(containers)
    weights = demo_recipe.shipments.puck_types
    # Spinepucks only go to FlexHCD sessions, so the share is at most the recipe's
    assert 0 < spine <= weights["Spinepuck"] / sum(weights.values()) + 0.05

    collections = list(demo_graph.data_collections())
    failed = sum(not dc.succeeded for dc in collections) / len(collections)
    _close(failed, demo_recipe.collections.failure_rate, 0.04)

    programs = list(demo_graph.processing_programs())
    failed_processing = sum(not p.succeeded for p in programs) / len(programs)
    _close(failed_processing, demo_recipe.processing.failure_rate, 0.04)

    published = sum(dc.published for dc in collections) / len(collections)
    _close(published, demo_recipe.catalogue.published_fraction, 0.05)

    per_collection = demo_recipe.processing.per_collection
    successful = [dc for dc in collections if dc.succeeded]
    counts = Counter(len(dc.autoProcPrograms) for dc in successful)
    assert set(counts) <= set(range(per_collection.min, per_collection.max + 1))


def test_the_recipe_sizes_are_what_their_names_promise(
    tiny_graph: FacilityGraph, demo_graph: FacilityGraph
) -> None:
    def datasets(graph: FacilityGraph) -> int:
        return sum(1 for _ in graph.data_collections()) + sum(
            1 for _ in graph.processing_programs()
        )

    assert len(tiny_graph.proposals) == 2 and len(tiny_graph.beamlines) == 1
    assert 10 <= datasets(tiny_graph) <= 100
    assert 1_500 <= datasets(demo_graph) <= 2_500
