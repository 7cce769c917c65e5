"""The whole mapping: a facility graph, or one proposal at a time, → SciCat records.

``docs/mapping.md`` is the field-by-field description; change both together.
:func:`map_graph` maps a whole graph; :func:`map_facility` and :func:`map_proposal`
map it piece by piece (instruments first, then each proposal's records) for a seeder
that streams proposals, and give the same records in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scicatlive.domain import model as ispyb
from scicatlive.mapping import payloads as sc
from scicatlive.mapping.context import FacilityContext
from scicatlive.mapping.datasets import (
    attachments,
    collections_of,
    derived_datablock,
    derived_dataset,
    raw_datablock,
    raw_dataset,
)
from scicatlive.mapping.options import MappingOptions
from scicatlive.mapping.proposals import instrument, memberships, proposal
from scicatlive.mapping.publication import published_data
from scicatlive.mapping.samples import samples


@dataclass
class ProposalRecords:
    """Every SciCat record of one proposal, in an order that satisfies every reference.

    ``proposals`` holds the one proposal, so that one proposal's records and a whole
    :class:`~scicatlive.mapping.payloads.SciCatPayloads` read alike.
    """

    proposals: list[sc.Proposal]
    samples: list[sc.Sample] = field(default_factory=list)
    raw_datasets: list[sc.RawDataset] = field(default_factory=list)
    derived_datasets: list[sc.DerivedDataset] = field(default_factory=list)
    origdatablocks: list[sc.OrigDatablock] = field(default_factory=list)
    attachments: list[sc.Attachment] = field(default_factory=list)
    published_data: list[sc.PublishedData] = field(default_factory=list)


def map_facility(facility: ispyb.FacilityGraph, options: MappingOptions) -> list[sc.Instrument]:
    """The instruments: what every proposal's records point at."""
    ctx = FacilityContext.of(facility, options)
    return [instrument(ctx, beamline) for beamline in facility.beamlines]


def map_proposal(
    facility: ispyb.FacilityGraph, options: MappingOptions, record: ispyb.Proposal
) -> ProposalRecords:
    """One proposal's records; ``facility`` needs its beamlines and people, not its proposals."""
    ctx = FacilityContext.of(facility, options).proposal(record)
    mapped = ProposalRecords(proposals=[proposal(ctx)], samples=samples(ctx))
    for found in collections_of(record):
        collection = found[-1]
        raw = raw_dataset(ctx, found)
        mapped.raw_datasets.append(raw)
        mapped.origdatablocks.append(raw_datablock(raw, collection))
        for program in collection.autoProcPrograms:
            derived = derived_dataset(ctx, raw, collection, program)
            mapped.derived_datasets.append(derived)
            mapped.origdatablocks.append(derived_datablock(derived, program))
            mapped.attachments += attachments(ctx, derived, program)
    publication = published_data(
        ctx, mapped.proposals[0], mapped.raw_datasets, mapped.derived_datasets, mapped.origdatablocks
    )
    mapped.published_data = [publication] if publication else []
    return mapped


def map_graph(graph: ispyb.FacilityGraph, options: MappingOptions | None = None) -> sc.SciCatPayloads:
    """Every SciCat record for the facility, with deterministic ids."""
    options = options or MappingOptions()
    per_proposal = [map_proposal(graph, options, record) for record in graph.proposals]
    return sc.SciCatPayloads(
        instruments=map_facility(graph, options),
        proposals=[p.proposals[0] for p in per_proposal],
        samples=[s for p in per_proposal for s in p.samples],
        raw_datasets=[d for p in per_proposal for d in p.raw_datasets],
        derived_datasets=[d for p in per_proposal for d in p.derived_datasets],
        origdatablocks=[b for p in per_proposal for b in p.origdatablocks],
        attachments=[a for p in per_proposal for a in p.attachments],
        published_data=[r for p in per_proposal for r in p.published_data],
        memberships=memberships(graph, graph.proposals),
    )
