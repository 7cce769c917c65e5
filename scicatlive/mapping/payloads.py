"""What the seed sends to SciCat: one model per create request body.

Field names are SciCat's JSON keys; ``body()`` is exactly what goes over the
wire. Datasets use the v3 create DTOs (``CreateRawDatasetObsoleteDto`` and
``CreateDerivedDatasetObsoleteDto``), which keep the singular ``proposalId``,
``sampleId`` and ``instrumentId`` links; attachments use the v4 DTO, which
accepts a client-chosen ``aid``. Every id is deterministic (see
``scicatlive.domain.keys``), so a second load addresses the same records.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

MetadataValue = bool | int | float | str


class ScicatPayload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def body(self) -> dict[str, Any]:
        """The JSON body of the create request."""
        return self.model_dump(mode="json", exclude_none=True)


class Quantity(TypedDict):
    """A metadata entry as SciCat stores it; the backend adds valueSI/unitSI.

    A typed dict rather than a model: a seed makes hundreds of thousands of them, and the
    records that hold them validate them in one pass.
    """

    value: MetadataValue
    unit: str


ShellTable = dict[str, dict[str, Quantity]]


class Instrument(ScicatPayload):
    pid: str
    uniqueName: str
    name: str
    customMetadata: dict[str, Quantity]


class MeasurementPeriod(ScicatPayload):
    instrument: str
    start: AwareDatetime
    end: AwareDatetime
    comment: str


class Proposal(ScicatPayload):
    proposalId: str
    title: str
    abstract: str
    email: str
    firstname: str
    lastname: str
    pi_email: str
    pi_firstname: str
    pi_lastname: str
    startTime: AwareDatetime
    endTime: AwareDatetime
    MeasurementPeriodList: list[MeasurementPeriod]
    instrumentIds: list[str]
    metadata: dict[str, str | list[str]]
    ownerGroup: str
    accessGroups: list[str]


SampleType = Literal["shipment", "dewar", "puck", "crystal"]


class Sample(ScicatPayload):
    sampleId: str
    sampleName: str
    type: SampleType
    description: str
    owner: str
    proposalId: str
    parentSampleId: str | None = None
    sampleCharacteristics: dict[str, Quantity]
    isPublished: bool
    ownerGroup: str
    accessGroups: list[str]


class Technique(ScicatPayload):
    """An experimental technique: its PaNET IRI and name (the PaNOSC search API's Technique)."""

    pid: str
    name: str


class RawDataset(ScicatPayload):
    pid: str
    type: Literal["raw"] = "raw"
    datasetName: str
    description: str
    runNumber: str
    owner: str
    ownerEmail: str
    contactEmail: str
    principalInvestigator: str
    creationLocation: str
    sourceFolder: str
    creationTime: AwareDatetime
    startTime: AwareDatetime
    endTime: AwareDatetime
    dataFormat: str
    proposalId: str
    sampleId: str
    instrumentId: str
    keywords: list[str]
    techniques: list[Technique]
    scientificMetadata: dict[str, Quantity]
    isPublished: bool
    ownerGroup: str
    accessGroups: list[str]


class DerivedDataset(ScicatPayload):
    pid: str
    type: Literal["derived"] = "derived"
    datasetName: str
    description: str
    owner: str
    ownerEmail: str
    contactEmail: str
    investigator: str
    inputDatasets: list[str] = Field(min_length=1)
    usedSoftware: list[str] = Field(min_length=1)
    jobParameters: dict[str, str]
    jobLogData: str | None = None
    sourceFolder: str
    creationTime: AwareDatetime
    proposalId: str
    keywords: list[str]
    scientificMetadata: dict[str, Quantity | ShellTable]
    isPublished: bool
    ownerGroup: str
    accessGroups: list[str]


class DataFile(TypedDict):
    """One file of an origdatablock (a typed dict: a Pilatus collection has one per image)."""

    path: str  # relative to the dataset's sourceFolder
    size: Annotated[int, Field(ge=0)]
    time: AwareDatetime


class OrigDatablock(ScicatPayload):
    """The files of one dataset. The create DTO has no id: a dataset gets exactly one."""

    datasetId: str
    size: int = Field(ge=0)
    dataFileList: list[DataFile] = Field(min_length=1)
    isPublished: bool
    ownerGroup: str
    accessGroups: list[str]


class AttachmentRelationship(ScicatPayload):
    targetId: str
    targetType: Literal["dataset", "proposal", "sample"]


class Attachment(ScicatPayload):
    aid: str
    caption: str
    thumbnail: str = Field(description="a data: URI")
    relationships: list[AttachmentRelationship]
    isPublished: bool
    ownerGroup: str
    accessGroups: list[str]


class PublishedData(ScicatPayload):
    """A DOI for a proposal's published datasets: the v3 ``CreatePublishedDataDto``, which keeps
    a client-chosen ``doi``. The backend answers with it as ``status: private``; registering
    it (``POST /publisheddata/{doi}/register``) makes it ``registered``."""

    doi: str
    title: str
    abstract: str
    creator: list[str] = Field(min_length=1)
    authors: list[str]
    affiliation: str
    publisher: str
    publicationYear: int
    resourceType: str
    dataDescription: str
    pidArray: list[str] = Field(min_length=1)
    numberOfFiles: int = Field(ge=0)
    sizeOfArchive: int = Field(ge=0)


class GroupMembership(BaseModel):
    """Not a SciCat record: the groups a seeded person needs to see their data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    login: str
    email: str
    groups: list[str]


class SciCatPayloads(BaseModel):
    """Everything to create in SciCat, in an order that satisfies every reference."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    instruments: list[Instrument]
    proposals: list[Proposal]
    samples: list[Sample] = Field(description="parents before children")
    raw_datasets: list[RawDataset]
    derived_datasets: list[DerivedDataset]
    origdatablocks: list[OrigDatablock]
    attachments: list[Attachment]
    published_data: list[PublishedData] = Field(description="after the datasets they name")
    memberships: list[GroupMembership]


__all__ = [
    "Attachment",
    "AttachmentRelationship",
    "DataFile",
    "DerivedDataset",
    "GroupMembership",
    "Instrument",
    "MeasurementPeriod",
    "OrigDatablock",
    "Proposal",
    "PublishedData",
    "Quantity",
    "RawDataset",
    "Sample",
    "SciCatPayloads",
    "ScicatPayload",
    "ShellTable",
    "Technique",
]
