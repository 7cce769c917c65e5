"""The generated facility, as ISPyB sees it.

Entities and field names follow ISPyB's tables and columns (ESRF flavour, as
py-ISPyB and the ispyb-mock use them) so that loading into ISPyB is a thin
translation. The graph nests the way the ispyb-mock's ``POST /bulk/proposals``
does: proposal → sessions, proteins, shipments → dewars → containers →
samples → data collection groups → data collections → auto-processing.
References inside a proposal use natural keys, never database ids: sessions by
``visit_number``, proteins by ``acronym``, people by ``login``.

Natural keys (unique in the facility; they seed every deterministic id):

=====================  ======================================================
person                 ``login``
proposal               ``proposalCode + proposalNumber`` (``Proposal.proposal``)
session                ``<proposal>-<visit_number>``
protein                ``<proposal>/<acronym>``
shipping               ``<proposal>/<shippingName>``
dewar                  ``barCode``
container              ``barcode``
sample                 ``<container barcode>/<location>``
data collection        ``imageDirectory + imagePrefix + "_" + dataCollectionNumber``
auto-processing        ``<data collection key>/<processingPrograms>``
attachment             ``<auto-processing key>/<fileName>``
=====================  ======================================================

A few fields are not ISPyB columns but facts the catalogue needs and ISPyB
keeps elsewhere (on disk or in the user office): file sizes and write times,
the text of processing logs, and whether a collection's data are published.
They are marked "catalogue only"; the ISPyB loader leaves them out.
"""

from __future__ import annotations

from scicatlive.domain.model.base import GraphModel
from scicatlive.domain.model.collections import DataCollection, DataCollectionGroup, ImageFile
from scicatlive.domain.model.facility import (
    Beamline,
    Detector,
    Facility,
    FacilityGraph,
    Laboratory,
    Person,
)
from scicatlive.domain.model.processing import (
    AutoProc,
    AutoProcIntegration,
    AutoProcProgram,
    AutoProcProgramAttachment,
    AutoProcScalingStatistics,
    ShellType,
)
from scicatlive.domain.model.proposals import (
    BLSession,
    Proposal,
    Protein,
    SessionPerson,
    SessionRole,
)
from scicatlive.domain.model.samples import (
    BLSample,
    Container,
    Crystal,
    Dewar,
    DiffractionPlan,
    Shipping,
)

__all__ = [
    "AutoProc", "AutoProcIntegration", "AutoProcProgram", "AutoProcProgramAttachment",
    "AutoProcScalingStatistics", "BLSample", "BLSession", "Beamline", "Container", "Crystal",
    "DataCollection", "DataCollectionGroup", "Detector", "Dewar", "DiffractionPlan", "Facility",
    "FacilityGraph", "GraphModel", "ImageFile", "Laboratory", "Person", "Proposal", "Protein",
    "SessionPerson", "SessionRole", "ShellType", "Shipping",
]  # fmt: skip
