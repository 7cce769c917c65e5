"""The ISPyB → SciCat mapping of a generated facility (see ``docs/mapping.md``)."""

from __future__ import annotations

from scicatlive.mapping.payloads import (
    Attachment,
    DerivedDataset,
    GroupMembership,
    Instrument,
    OrigDatablock,
    Proposal,
    Quantity,
    RawDataset,
    Sample,
    SciCatPayloads,
)
from scicatlive.mapping.scicat import UNITS, Identifiers, MappingOptions, map_graph

__all__ = [
    "UNITS",
    "Attachment",
    "DerivedDataset",
    "GroupMembership",
    "Identifiers",
    "Instrument",
    "MappingOptions",
    "OrigDatablock",
    "Proposal",
    "Quantity",
    "RawDataset",
    "Sample",
    "SciCatPayloads",
    "map_graph",
]
