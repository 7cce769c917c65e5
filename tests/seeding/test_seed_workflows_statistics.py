"""Workflow, SigAno, ISa and the sample status: generated plausibly, mapped as the MX views read them."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from scicatlive.domain import model as m
from scicatlive.mapping import Identifiers, MappingOptions, SciCatPayloads, map_graph
from scicatlive.mapping.quantities import number_or_text
from scicatlive.seeding import FacilityGraph, Recipe, generate
from scicatlive.seeding.generator.collections import WORKFLOW_TITLES
from scicatlive.seeding.generator.processing import runs_xds_correct
from scicatlive.seeding.recipe import HELICAL_WORKFLOWS

PID_PREFIX = "20.500.12269"


def _groups(graph: FacilityGraph) -> list[m.DataCollectionGroup]:
    return [group for sample in graph.samples() for group in sample.dataCollectionGroups]


# -- generation ----------------------------------------------------------------------------------


def test_workflows_are_ispyb_workflows_that_fit_the_experiment(
    demo_graph: FacilityGraph, demo_recipe: Recipe
) -> None:
    groups = _groups(demo_graph)
    for group in groups:
        workflow = group.Workflow
        if workflow is None:
            continue
        assert workflow.workflowType in demo_recipe.collections.workflows
        assert (workflow.workflowType in HELICAL_WORKFLOWS) is (group.experimentType == "Helical")
        assert workflow.workflowTitle == WORKFLOW_TITLES[str(workflow.workflowType)]
        succeeded = all(dc.succeeded for dc in group.dataCollections)
        assert workflow.status == ("Success" if succeeded else "Failure")
    shares = demo_recipe.collections.workflows
    for helical in (False, True):
        kind = [g for g in groups if (g.experimentType == "Helical") is helical]
        automated = sum(g.Workflow is not None for g in kind) / len(kind)
        expected = sum(v for k, v in shares.items() if (k in HELICAL_WORKFLOWS) is helical)
        assert abs(automated - expected) <= (0.06 if not helical else 0.15), (helical, automated)
    assert len(Counter(g.Workflow.workflowType for g in groups if g.Workflow)) == len(shares)


def test_a_recipe_without_workflows_collects_everything_by_hand(tiny_recipe: Recipe) -> None:
    manual = tiny_recipe.model_copy(
        update={"collections": tiny_recipe.collections.model_copy(update={"workflows": {}})}
    )
    graph = generate(manual)
    assert _groups(graph) and all(g.Workflow is None for g in _groups(graph))


def test_collected_samples_are_processing_the_others_have_no_status(
    demo_graph: FacilityGraph,
) -> None:
    statuses = Counter(
        (s.blSampleStatus, bool(s.dataCollectionGroups)) for s in demo_graph.samples()
    )
    assert set(statuses) == {("processing", True), (None, False)}


def _successful(graph: FacilityGraph) -> list[m.AutoProcProgram]:
    return [p for p in graph.processing_programs() if p.succeeded]


def test_sig_ano_shows_the_anomalous_signal_of_sad_data_only(demo_graph: FacilityGraph) -> None:
    anomalous = native = 0
    for program in _successful(demo_graph):
        shells = {s.scalingStatisticsType: s for s in program.AutoProcScalingStatistics}
        value = {kind: float(str(shell.sigAno)) for kind, shell in shells.items()}
        assert all(len(str(s.sigAno).split(".")[1]) == 3 for s in shells.values())
        if program.AutoProcIntegration.anomalous:
            anomalous += 1
            assert value["innerShell"] > value["overall"] > value["outerShell"] >= 0.8 - 1e-9
            assert value["innerShell"] >= 1.8  # a strong low-resolution signal
            # SigAno follows CC_ano: the same slope in every shell
            slopes = [(value[k] - 0.8) / cc for k, s in shells.items() if (cc := s.ccAno or 0) > 0.05]
            assert max(slopes) - min(slopes) < 0.05 * max(slopes)
        else:
            native += 1
            assert all(0.75 <= v <= 1.2 for v in value.values())  # noise, about 1
            assert value["innerShell"] >= value["overall"] >= value["outerShell"]
    assert anomalous and native


def test_isa_is_the_setups_in_the_overall_shell_of_xds_runs(demo_graph: FacilityGraph) -> None:
    per_collection: dict[str, list[float]] = {}
    for collection in demo_graph.data_collections():
        for program in collection.autoProcPrograms:
            if not program.succeeded:
                continue
            assert all(s.isa is None for s in program.AutoProcScalingStatistics
                       if s.scalingStatisticsType != "overall")  # fmt: skip
            overall, inner = program.shell("overall"), program.shell("innerShell")
            if not runs_xds_correct(program.processingPrograms):
                assert overall.isa is None
                continue
            isa = float(str(overall.isa))
            assert 10.0 <= isa <= 80.0
            # the merged I/σ(I) of the best shell cannot beat ISa by more than √multiplicity
            assert inner.meanIOverSigI <= isa * math.sqrt(inner.multiplicity)
            per_collection.setdefault(collection.natural_key, []).append(isa)
    agreeing = [v for v in per_collection.values() if len(v) > 1]
    assert agreeing
    # XDS runs of the same images report the same ISa within a few percent
    assert all(max(v) / min(v) <= 1.03 / 0.97 + 0.001 for v in agreeing)


# -- mapping -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_flat(demo_graph: FacilityGraph) -> SciCatPayloads:
    return map_graph(demo_graph, MappingOptions(pid_prefix=PID_PREFIX, sample_layout="flat"))


def test_raw_datasets_carry_their_groups_workflow_type(
    demo_graph: FacilityGraph, demo_payloads: SciCatPayloads
) -> None:
    ids = Identifiers(demo_graph.facility.site, PID_PREFIX)
    raw = {d.pid: d.scientificMetadata for d in demo_payloads.raw_datasets}
    for group in _groups(demo_graph):
        for collection in group.dataCollections:
            metadata = raw[ids.raw_dataset(collection)]
            if group.Workflow is None:
                assert "workflowType" not in metadata
            else:
                assert metadata["workflowType"] == {"value": group.Workflow.workflowType, "unit": ""}


def test_statistics_carry_sig_ano_and_isa_as_numbers(
    demo_graph: FacilityGraph, demo_payloads: SciCatPayloads
) -> None:
    ids = Identifiers(demo_graph.facility.site, PID_PREFIX)
    derived = {d.pid: d.scientificMetadata for d in demo_payloads.derived_datasets}
    for collection in demo_graph.data_collections():
        for program in collection.autoProcPrograms:
            statistics = derived[ids.derived_dataset(collection, program)].get("statistics")
            if not program.succeeded:
                assert statistics is None
                continue
            assert isinstance(statistics, dict)
            for shell in program.AutoProcScalingStatistics:
                entries = statistics[shell.scalingStatisticsType]
                assert entries["sigAno"] == {"value": float(str(shell.sigAno)), "unit": ""}
                if shell.isa is None:
                    assert "isa" not in entries
                else:
                    assert entries["isa"] == {"value": float(shell.isa), "unit": ""}
                assert entries["ccHalf"]["unit"] == ""  # like the other dimensionless ones


def test_crystal_samples_carry_their_status_in_both_layouts(
    demo_graph: FacilityGraph, demo_payloads: SciCatPayloads, demo_flat: SciCatPayloads
) -> None:
    ids = Identifiers(demo_graph.facility.site, PID_PREFIX)
    for payloads in (demo_payloads, demo_flat):
        samples = {s.sampleId: s.sampleCharacteristics for s in payloads.samples}
        for proposal in demo_graph.proposals:
            for container, sample in proposal.samples():
                found = samples[ids.crystal_sample(container.barcode, sample.location)]
                if sample.blSampleStatus is None:
                    assert "BLSample_blSampleStatus" not in found
                else:
                    assert found["BLSample_blSampleStatus"] == {"value": "processing", "unit": ""}


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.512", 1.512), ("27", 27.0), (" 3.5 ", 3.5), ("n/a", "n/a"), ("nan", "nan"), ("inf", "inf")],
)
def test_text_columns_become_numbers_when_they_hold_one(text: str, value: float | str) -> None:
    assert number_or_text(text) == value


def test_a_workflow_without_a_type_writes_no_key(tiny_graph: FacilityGraph) -> None:
    proposal = tiny_graph.proposals[0]
    shipping = proposal.shippings[0]
    untyped = m.Workflow(workflowTitle="custom", status="Success")
    samples = []
    for container, sample in proposal.samples():
        groups = [g.model_copy(update={"Workflow": untyped}) for g in sample.dataCollectionGroups]
        samples.append((container, sample.model_copy(update={"dataCollectionGroups": groups})))
    assert any(s.dataCollectionGroups for _, s in samples)
    dewar = shipping.dewars[0]
    containers = [
        c.model_copy(update={"samples": [s for cc, s in samples if cc.barcode == c.barcode]})
        for c in dewar.containers
    ]
    shipping = shipping.model_copy(
        update={"dewars": [dewar.model_copy(update={"containers": containers})]}
    )
    graph = tiny_graph.model_copy(
        update={"proposals": [proposal.model_copy(update={"shippings": [shipping]})]}
    )
    payloads = map_graph(graph, MappingOptions(pid_prefix=PID_PREFIX))
    assert payloads.raw_datasets
    assert all("workflowType" not in d.scientificMetadata for d in payloads.raw_datasets)
