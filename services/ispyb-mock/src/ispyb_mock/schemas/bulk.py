"""``POST /bulk/proposals``: a whole proposal in one request, upserted by natural keys.

Natural keys (what makes a second load update rather than duplicate):

=====================  ==========================================================
proposal               proposalCode + proposalNumber
person                 login
session                visit_number within the proposal
protein                acronym within the proposal
shipment               shippingName within the proposal
dewar                  barCode (site-wide)
container              barcode (site-wide)
sample                 location within its container
data collection group  session + startTime within the sample
data collection        imageDirectory + imagePrefix + dataCollectionNumber in its group
auto-processing run    processingPrograms within the data collection
=====================  ==========================================================

Inside the graph, sessions are referred to by ``visit_number`` and proteins by
``acronym``, so the client needs no database ids.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from .common import DbDateTime
from .datacollections import DataCollectionFields, DataCollectionKey, GroupFields
from .processing import AutoProcessingFields
from .proposals import ProposalCreate, SessionFields
from .samples import CrystalFields, ProteinFields, SampleFields
from .shipments import ContainerFields, DewarFields, DewarType, SafetyLevel, ShippingFields


class BulkDataCollection(DataCollectionFields, DataCollectionKey):
    autoProcPrograms: list[AutoProcessingFields] = []


class BulkGroup(GroupFields):
    session: int = Field(ge=0, description="visit_number of one of the proposal's sessions")
    startTime: DbDateTime
    dataCollections: list[BulkDataCollection] = []


class BulkCrystal(CrystalFields):
    protein: str = Field(min_length=1, description="acronym of one of the proposal's proteins")


class BulkSample(SampleFields):
    Crystal: BulkCrystal
    dataCollectionGroups: list[BulkGroup] = []


class BulkContainer(ContainerFields):
    barcode: str = Field(min_length=1, max_length=45)
    code: str = Field(min_length=1, max_length=45)
    containerType: str = Field("Unipuck", max_length=20)
    session: int | None = Field(None, ge=0, description="visit_number (Container.sessionId)")
    samples: list[BulkSample] = []


class BulkDewar(DewarFields):
    barCode: str = Field(min_length=1, max_length=45)
    dewarStatus: str = Field("opened", max_length=45)
    type: DewarType = "Dewar"
    firstExperiment: int | None = Field(None, ge=0, description="visit_number")
    containers: list[BulkContainer] = []


class BulkShipping(ShippingFields):
    shippingName: str = Field(min_length=1, max_length=45)
    shippingStatus: str = Field("opened", max_length=45)
    safetyLevel: SafetyLevel = "GREEN"
    sessions: list[int] = Field(default=[], description="visit_numbers (ShippingHasSession)")
    dewars: list[BulkDewar] = []


class BulkSession(SessionFields):
    visit_number: int = Field(ge=0)


class BulkProposal(ProposalCreate):
    sessions: list[BulkSession] = []
    proteins: list[ProteinFields] = []
    shippings: list[BulkShipping] = []


class BulkSampleRef(BaseModel):
    containerBarcode: str
    location: int
    blSampleId: int
    crystalId: int


class BulkCollectionRef(BaseModel):
    blSampleId: int
    dataCollectionGroupId: int
    dataCollectionId: int
    imageDirectory: str
    imagePrefix: str
    dataCollectionNumber: int
    autoProcProgramIds: list[int]


class BulkResult(BaseModel):
    proposalId: int
    proposal: str
    sessions: dict[int, int] = Field(description="visit_number -> sessionId")
    proteins: dict[str, int] = Field(description="acronym -> proteinId")
    shippings: dict[str, int] = Field(description="shippingName -> shippingId")
    dewars: dict[str, int] = Field(description="barCode -> dewarId")
    containers: dict[str, int] = Field(description="barcode -> containerId")
    samples: list[BulkSampleRef]
    dataCollections: list[BulkCollectionRef]
    created: dict[str, int] = Field(description="rows inserted, per table")
    updated: dict[str, int] = Field(description="rows found by natural key and updated, per table")


__all__ = ["BulkProposal", "BulkResult"]
