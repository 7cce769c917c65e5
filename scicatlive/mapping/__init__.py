"""The ISPyB → SciCat mapping of a facility graph (see ``docs/mapping.md``).

:mod:`.options` (pid prefix, sample layout, ids from natural keys) →
:mod:`.quantities` (rows → ``{value, unit}``) → :mod:`.proposals`, :mod:`.samples`,
:mod:`.datasets`, :mod:`.publication` (one module per kind of record) → :mod:`.graph` (the driver).
"""

from __future__ import annotations

from scicatlive.defaults import DEFAULT_PID_PREFIX
from scicatlive.mapping.graph import ProposalRecords, map_facility, map_graph, map_proposal
from scicatlive.mapping.options import (
    Identifiers,
    MappingOptions,
    SampleLayout,
    beamline_group,
    proposal_group,
)
from scicatlive.mapping.payloads import (
    Attachment,
    DerivedDataset,
    GroupMembership,
    Instrument,
    OrigDatablock,
    Proposal,
    PublishedData,
    Quantity,
    RawDataset,
    Sample,
    SciCatPayloads,
)
from scicatlive.mapping.quantities import UNITS

__all__ = [
    "DEFAULT_PID_PREFIX", "UNITS", "Attachment", "DerivedDataset", "GroupMembership",
    "Identifiers", "Instrument", "MappingOptions", "OrigDatablock", "Proposal", "ProposalRecords",
    "PublishedData", "Quantity", "RawDataset", "Sample", "SampleLayout", "SciCatPayloads",
    "beamline_group", "map_facility", "map_graph", "map_proposal", "proposal_group",
]  # fmt: skip
