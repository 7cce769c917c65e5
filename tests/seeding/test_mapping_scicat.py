"""The ISPyB → SciCat mapping: links, layouts, ownership and ids."""

from __future__ import annotations

import base64

import pytest

from scicatlive.mapping import MappingOptions, SciCatPayloads, map_graph
from scicatlive.mapping import proposal_group
from scicatlive.seeding import FacilityGraph, Recipe


@pytest.fixture(scope="module")
def tiny_hierarchical(tiny_graph: FacilityGraph) -> SciCatPayloads:
    return map_graph(tiny_graph, MappingOptions(sample_layout="hierarchical"))


@pytest.fixture(scope="module")
def tiny_flat(tiny_graph: FacilityGraph) -> SciCatPayloads:
    return map_graph(tiny_graph, MappingOptions(sample_layout="flat"))


def test_hierarchical_samples_chain_crystal_puck_dewar_shipment(
    tiny_hierarchical: SciCatPayloads,
) -> None:
    seen: dict[str, str] = {}
    expected_parent = {"shipment": None, "dewar": "shipment", "puck": "dewar", "crystal": "puck"}
    for sample in tiny_hierarchical.samples:  # parents come first, so a loader can go in order
        parent_type = seen.get(sample.parentSampleId) if sample.parentSampleId else None
        assert parent_type == expected_parent[sample.type], sample.sampleName
        seen[sample.sampleId] = sample.type
    assert set(seen.values()) == set(expected_parent)


def test_flat_samples_are_crystals_carrying_their_journey(
    tiny_flat: SciCatPayloads, tiny_hierarchical: SciCatPayloads
) -> None:
    assert {s.type for s in tiny_flat.samples} == {"crystal"}
    assert all(s.parentSampleId is None for s in tiny_flat.samples)
    crystals = [s for s in tiny_hierarchical.samples if s.type == "crystal"]
    assert [s.sampleId for s in tiny_flat.samples] == [s.sampleId for s in crystals]
    for sample in tiny_flat.samples:
        keys = sample.sampleCharacteristics
        assert {
            "Container_barcode",
            "Dewar_barCode",
            "Shipping_shippingName",
            "Crystal_spaceGroup",
        } <= set(keys)
    assert not any(k.startswith("Container_") for s in crystals for k in s.sampleCharacteristics)


def test_characteristics_carry_units(tiny_hierarchical: SciCatPayloads) -> None:
    crystal = next(
        s for s in tiny_hierarchical.samples if s.type == "crystal"
    ).sampleCharacteristics
    assert crystal["Crystal_cell_a"]["unit"] == "angstrom"
    assert crystal["Crystal_cell_alpha"]["unit"] == "deg"
    assert crystal["Crystal_size_X"]["unit"] == "um"
    assert crystal["Protein_molecularMass"]["unit"] == "kDa"
    assert crystal["BLSample_location"]["unit"] == ""


def test_measurement_periods_are_the_sessions(
    tiny_graph: FacilityGraph, tiny_hierarchical: SciCatPayloads
) -> None:
    for proposal, payload in zip(tiny_graph.proposals, tiny_hierarchical.proposals, strict=True):
        assert payload.proposalId == proposal.proposal
        periods = payload.MeasurementPeriodList
        assert len(periods) == len(proposal.sessions)
        for period, session in zip(periods, proposal.sessions, strict=True):
            assert period.instrument == session.beamLineName
            assert period.start.replace(tzinfo=None) == session.startDate
            assert period.end.replace(tzinfo=None) == session.endDate
            assert period.comment == f"{proposal.proposal}-{session.visit_number}"
        assert payload.startTime == min(p.start for p in periods)
        assert payload.endTime == max(p.end for p in periods)
        pi = tiny_graph.person(proposal.personLogin)
        assert (payload.pi_email, payload.pi_lastname) == (pi.emailAddress, pi.familyName)


def test_raw_datasets_link_sample_instrument_and_proposal(
    tiny_graph: FacilityGraph, tiny_hierarchical: SciCatPayloads
) -> None:
    samples = {s.sampleId: s for s in tiny_hierarchical.samples}
    instruments = {i.pid: i for i in tiny_hierarchical.instruments}
    proposals = {p.proposalId for p in tiny_hierarchical.proposals}
    collections = list(tiny_graph.data_collections())
    assert len(collections) == len(tiny_hierarchical.raw_datasets)
    for dc, raw in zip(collections, tiny_hierarchical.raw_datasets, strict=True):
        assert raw.sourceFolder == dc.imageDirectory
        assert samples[raw.sampleId].type == "crystal"
        assert samples[raw.sampleId].sampleName == dc.imagePrefix
        assert instruments[raw.instrumentId].uniqueName in raw.creationLocation
        assert raw.proposalId in proposals
        metadata = raw.scientificMetadata
        for column in dc.model_dump(exclude={"files", "published", "autoProcPrograms"}):
            assert column in metadata, column
        assert (
            metadata["wavelength"]["unit"] == "angstrom"
            and metadata["wavelength"]["value"] == dc.wavelength
        )
        assert metadata["energy"]["unit"] == "keV"
        assert metadata["detectorDistance"]["unit"] == "mm"
        assert metadata["exposureTime"]["unit"] == "s"
        assert metadata["axisRange"]["unit"] == "deg"
        assert metadata["numberOfImages"]["unit"] == ""


def test_derived_datasets_point_at_their_raw_dataset(
    tiny_graph: FacilityGraph, tiny_hierarchical: SciCatPayloads
) -> None:
    raw_by_pid = {d.pid: d for d in tiny_hierarchical.raw_datasets}
    programs = list(tiny_graph.processing_programs())
    assert len(programs) == len(tiny_hierarchical.derived_datasets) > 0
    for program, derived in zip(programs, tiny_hierarchical.derived_datasets, strict=True):
        (source,) = derived.inputDatasets
        assert source in raw_by_pid
        assert derived.usedSoftware == [program.processingPrograms]
        assert derived.datasetName.startswith(raw_by_pid[source].datasetName)
        metadata = derived.scientificMetadata
        if program.succeeded:
            assert metadata["spaceGroup"]["value"] == program.AutoProc.spaceGroup  # type: ignore[union-attr]
            assert metadata["cell_a"]["unit"] == "angstrom"
            statistics = metadata["statistics"]
            assert isinstance(statistics, dict)
            assert sorted(statistics) == ["innerShell", "outerShell", "overall"]
            assert statistics["outerShell"]["rMerge"]["value"] > statistics["overall"]["rMerge"]["value"]
            assert statistics["overall"]["completeness"]["unit"] == "%"
        else:
            assert "statistics" not in metadata
            assert metadata["processingStatus"]["value"] == "FAILED"


def test_one_origdatablock_per_dataset_with_its_files(
    tiny_graph: FacilityGraph, tiny_hierarchical: SciCatPayloads
) -> None:
    pids = [d.pid for d in tiny_hierarchical.raw_datasets] + [
        d.pid for d in tiny_hierarchical.derived_datasets
    ]
    blocks = {b.datasetId: b for b in tiny_hierarchical.origdatablocks}
    assert sorted(blocks) == sorted(pids) and len(blocks) == len(tiny_hierarchical.origdatablocks)
    for dc, raw in zip(tiny_graph.data_collections(), tiny_hierarchical.raw_datasets, strict=True):
        block = blocks[raw.pid]
        assert [f["path"] for f in block.dataFileList] == [f.fileName for f in dc.files]
        assert block.size == sum(f.fileSize for f in dc.files)


def test_processing_logs_become_attachments(tiny_hierarchical: SciCatPayloads) -> None:
    derived = {d.pid: d for d in tiny_hierarchical.derived_datasets}
    assert len(tiny_hierarchical.attachments) == len(derived)
    for attachment in tiny_hierarchical.attachments:
        (link,) = attachment.relationships
        assert link.targetType == "dataset" and link.targetId in derived
        header, encoded = attachment.thumbnail.split(",", 1)
        assert header == "data:text/plain;base64"
        assert "processing log" in base64.b64decode(encoded).decode()


def test_everything_belongs_to_the_proposal_group(
    tiny_graph: FacilityGraph, tiny_hierarchical: SciCatPayloads
) -> None:
    groups = {p.proposal: proposal_group(p) for p in tiny_graph.proposals}
    for record in [*tiny_hierarchical.proposals, *tiny_hierarchical.samples, *tiny_hierarchical.raw_datasets,
                   *tiny_hierarchical.derived_datasets]:  # fmt: skip
        assert record.ownerGroup == groups[record.proposalId]
        assert tiny_graph.staffGroup in record.accessGroups
    memberships = {m.login: m.groups for m in tiny_hierarchical.memberships}
    for proposal in tiny_graph.proposals:
        for login in proposal.members:
            assert groups[proposal.proposal] in memberships[login]
    for login in tiny_graph.staff:
        assert tiny_graph.staffGroup in memberships[login]


def test_published_fraction_is_respected_and_consistent(
    demo_graph: FacilityGraph, demo_recipe: Recipe, demo_payloads: SciCatPayloads
) -> None:
    raw = demo_payloads.raw_datasets
    share = sum(d.isPublished for d in raw) / len(raw)
    assert abs(share - demo_recipe.catalogue.published_fraction) < 0.05
    published_raw = {d.pid for d in raw if d.isPublished}
    for derived in demo_payloads.derived_datasets:
        assert derived.isPublished is (derived.inputDatasets[0] in published_raw)
    samples_of_published = {d.sampleId for d in raw if d.isPublished}
    for sample in demo_payloads.samples:
        if sample.type == "crystal":
            assert sample.isPublished is (sample.sampleId in samples_of_published)
    by_id = {s.sampleId: s for s in demo_payloads.samples}
    for sample in demo_payloads.samples:
        if sample.isPublished and sample.parentSampleId:
            assert by_id[sample.parentSampleId].isPublished  # a public crystal's puck is public too


def test_ids_are_unique_and_use_the_pid_prefix(demo_payloads: SciCatPayloads) -> None:
    pids = [d.pid for d in [*demo_payloads.raw_datasets, *demo_payloads.derived_datasets]]
    assert len(set(pids)) == len(pids)
    assert all(pid.startswith("20.500.12269/") for pid in pids)
    sample_ids = [s.sampleId for s in demo_payloads.samples]
    assert len(set(sample_ids)) == len(sample_ids)
    aids = [a.aid for a in demo_payloads.attachments]
    assert len(set(aids)) == len(aids)


def test_the_recipe_chooses_the_layout_and_a_profile_can_override_it(tiny_recipe: Recipe) -> None:
    assert (
        tiny_recipe.mapping_options().sample_layout == tiny_recipe.catalogue.sample_layout
    )
    assert tiny_recipe.mapping_options(sample_layout="flat").sample_layout == "flat"


def test_each_proposal_with_published_datasets_has_one_published_data_record(
    demo_graph: FacilityGraph, demo_payloads: SciCatPayloads
) -> None:
    public = {d.pid: d for d in [*demo_payloads.raw_datasets, *demo_payloads.derived_datasets] if d.isPublished}
    by_proposal: dict[str, set[str]] = {}
    for pid, dataset in public.items():
        by_proposal.setdefault(dataset.proposalId, set()).add(pid)
    records = demo_payloads.published_data
    assert len(records) == len(by_proposal) > 0
    proposals = {p.proposalId: p for p in demo_payloads.proposals}
    people = {p.full_name: p for p in demo_graph.persons}
    blocks = {b.datasetId: b for b in demo_payloads.origdatablocks}
    for record in records:
        proposal_id = public[record.pidArray[0]].proposalId
        assert set(record.pidArray) == by_proposal[proposal_id]  # every published dataset, no other
        proposal = proposals[proposal_id]
        assert (record.title, record.abstract) == (proposal.title, proposal.abstract)
        assert record.creator == [f"{proposal.pi_firstname} {proposal.pi_lastname}"]
        assert record.affiliation == people[record.creator[0]].Laboratory.name
        assert record.publisher == demo_graph.facility.name and record.resourceType == "raw"
        assert record.publicationYear == max(public[p].endTime.year for p in record.pidArray if public[p].type == "raw")
        assert record.numberOfFiles == sum(len(blocks[p].dataFileList) for p in record.pidArray)
        assert record.sizeOfArchive == sum(blocks[p].size for p in record.pidArray)
        assert record.doi.startswith("10.9999/")
    assert len({r.doi for r in records}) == len(records)


def test_published_data_dois_are_deterministic_and_take_the_prefix(tiny_graph: FacilityGraph) -> None:
    first = map_graph(tiny_graph, MappingOptions()).published_data
    again = map_graph(tiny_graph, MappingOptions()).published_data
    assert [r.doi for r in first] == [r.doi for r in again]
    other = map_graph(tiny_graph, MappingOptions(doi_prefix="10.5072")).published_data
    assert [r.doi.split("/", 1)[1] for r in other] == [r.doi.split("/", 1)[1] for r in first]
    assert all(r.doi.startswith("10.5072/") for r in other)


def test_raw_datasets_are_macromolecular_crystallography_in_panet(tiny_hierarchical: SciCatPayloads) -> None:
    mx = "http://purl.org/pan-science/PaNET/PaNET01164"
    sad = "http://purl.org/pan-science/PaNET/PaNET01170"
    for dataset in tiny_hierarchical.raw_datasets:
        pids = [t.pid for t in dataset.techniques]
        assert pids[0] == mx and dataset.techniques[0].name == "macromolecular crystallography"
        assert (sad in pids) is (dataset.scientificMetadata["experimentType"]["value"] == "SAD")
