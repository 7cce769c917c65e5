"""Request bodies, mirroring the backend's class-validator DTOs (v5.2).

Every model forbids unknown properties, as the backend's global ValidationPipe does.
Types are strict: a number is not a string and vice versa. Dates must be ISO-8601
strings and are stored normalised to UTC with milliseconds.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
)

from .timeutil import format_iso, parse_iso

_EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")


def _iso_date(value: str) -> str:
    moment = parse_iso(value)
    if moment is None:
        raise ValueError("must be a valid ISO 8601 date string")
    return format_iso(moment)


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError("must be an email")
    return value


def _email_list(value: str) -> str:
    if not all(_EMAIL.match(part.strip()) for part in value.split(";")):
        raise ValueError(f"Expected an email or a list of semicolon separated emails, got {value}")
    return value


def _not_empty(value: str) -> str:
    if not value:
        raise ValueError("should not be empty")
    return value


IsoDate = Annotated[StrictStr, AfterValidator(_iso_date)]
Email = Annotated[StrictStr, AfterValidator(_email)]
EmailList = Annotated[StrictStr, AfterValidator(_email_list)]
NonEmpty = Annotated[StrictStr, AfterValidator(_not_empty)]
Number = StrictInt | StrictFloat
Strings = list[StrictStr]
JsonObject = dict[str, Any]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Ownable(Strict):
    ownerGroup: NonEmpty
    accessGroups: Strings | None = None
    instrumentGroup: StrictStr | None = None


# -- datasets -------------------------------------------------------------------------


class Technique(Strict):
    pid: StrictStr
    name: StrictStr


class Relationship(Strict):
    identifier: StrictStr
    identifierType: StrictStr = "Other"
    relationship: StrictStr = "IsReferencedBy"
    entityType: StrictStr = "Other"
    externalId: StrictStr | None = None


class Lifecycle(Strict):
    archivable: StrictBool | None = None
    retrievable: StrictBool | None = None
    publishable: StrictBool | None = None
    dateOfDiskPurging: IsoDate | None = None
    archiveRetentionTime: IsoDate | None = None
    dateOfPublishing: IsoDate | None = None
    publishedOn: IsoDate | None = None
    isOnCentralDisk: StrictBool | None = None
    archiveStatusMessage: StrictStr | None = None
    retrieveStatusMessage: StrictStr | None = None
    archiveReturnMessage: JsonObject | None = None
    retrieveReturnMessage: JsonObject | None = None
    exportedTo: StrictStr | None = None
    retrieveIntegrityCheck: StrictBool | None = None
    storageLocation: StrictStr | None = None


class DatasetCommon(Ownable):
    """Fields shared by every dataset DTO (v3 and v4)."""

    pid: StrictStr | None = None
    owner: StrictStr | None = None
    ownerEmail: Email | None = None
    orcidOfOwner: StrictStr | None = None
    contactEmail: EmailList
    sourceFolder: NonEmpty
    sourceFolderHost: StrictStr | None = None
    size: Number | None = None
    packedSize: Number | None = None
    numberOfFiles: Number | None = None
    numberOfFilesArchived: Number | None = None
    creationTime: IsoDate
    validationStatus: StrictStr | None = None
    keywords: Strings | None = None
    description: StrictStr | None = None
    datasetName: StrictStr | None = None
    classification: StrictStr | None = None
    license: StrictStr | None = None
    isPublished: StrictBool | None = None
    techniques: list[Technique] | None = None
    sharedWith: Strings | None = None
    relationships: list[Relationship] | None = None
    datasetlifecycle: Lifecycle | None = None
    scientificMetadata: JsonObject | None = None
    scientificMetadataSchema: StrictStr | None = None
    scientificMetadataValid: StrictBool | None = None
    comment: StrictStr | None = None
    dataQualityMetrics: Number | None = None
    runNumber: StrictStr | None = None
    startTime: IsoDate | None = None
    endTime: IsoDate | None = None
    creationLocation: StrictStr | None = None
    dataFormat: StrictStr | None = None
    inputDatasets: Strings | None = None
    usedSoftware: Strings | None = None
    jobParameters: JsonObject | None = None
    jobLogData: StrictStr | None = None
    type: StrictStr


class CreateDatasetV4(DatasetCommon):
    datasetName: StrictStr  # type: ignore[assignment]
    principalInvestigators: Strings | None = None
    proposalIds: Strings | None = None
    sampleIds: Strings | None = None
    instrumentIds: Strings | None = None


class CreateDatasetV3Base(DatasetCommon):
    owner: StrictStr  # type: ignore[assignment]
    proposalId: StrictStr | None = None
    version: StrictStr | None = None


class CreateRawDatasetV3(CreateDatasetV3Base):
    principalInvestigator: StrictStr
    creationLocation: StrictStr  # type: ignore[assignment]
    sampleId: StrictStr | None = None
    instrumentId: StrictStr | None = None
    investigator: StrictStr | None = None


class CreateDerivedDatasetV3(CreateDatasetV3Base):
    investigator: StrictStr
    inputDatasets: Strings  # type: ignore[assignment]
    usedSoftware: Strings  # type: ignore[assignment]


# -- origdatablocks -------------------------------------------------------------------


class DataFile(Strict):
    path: StrictStr
    size: Number
    time: IsoDate
    chk: StrictStr | None = None
    uid: StrictStr | None = None
    gid: StrictStr | None = None
    perm: StrictStr | None = None
    type: StrictStr | None = None


class DatasetOrigDatablock(Strict):
    """``POST /datasets/{pid}/origdatablocks``: the dataset supplies id and groups."""

    size: Number
    chkAlg: NonEmpty | None = None
    dataFileList: Annotated[list[DataFile], Field(min_length=1)]
    isPublished: StrictBool | None = None


class CreateOrigDatablock(DatasetOrigDatablock):
    datasetId: StrictStr
    ownerGroup: NonEmpty | None = None
    accessGroups: Strings | None = None
    instrumentGroup: StrictStr | None = None


# -- attachments ----------------------------------------------------------------------


class CreateAttachmentV3(Ownable):
    caption: StrictStr
    thumbnail: StrictStr | None = None
    id: StrictStr | None = None
    datasetId: StrictStr | None = None
    proposalId: StrictStr | None = None
    sampleId: StrictStr | None = None
    isPublished: StrictBool | None = None


class AttachmentRelationship(Strict):
    targetId: StrictStr
    targetType: Annotated[StrictStr, Field(pattern="^(dataset|proposal|sample|published_data)$")]
    relationType: StrictStr = "is attached to"


class CreateAttachmentV4(Ownable):
    caption: StrictStr
    isPublished: StrictBool
    thumbnail: StrictStr | None = None
    aid: StrictStr | None = None
    relationships: list[AttachmentRelationship] | None = None


# -- proposals ------------------------------------------------------------------------


class MeasurementPeriod(Strict):
    id_: StrictStr | None = Field(default=None, alias="_id")
    instrument: StrictStr
    start: IsoDate
    end: IsoDate
    comment: StrictStr | None = None


class CreateProposal(Ownable):
    proposalId: NonEmpty
    email: Email
    title: StrictStr
    pi_email: Email | None = None
    pi_firstname: StrictStr | None = None
    pi_lastname: StrictStr | None = None
    firstname: StrictStr | None = None
    lastname: StrictStr | None = None
    abstract: StrictStr | None = None
    startTime: IsoDate | None = None
    endTime: IsoDate | None = None
    MeasurementPeriodList: list[MeasurementPeriod] | None = None
    metadata: JsonObject | None = None
    parentProposalId: StrictStr | None = None
    type: StrictStr | None = None
    instrumentIds: Strings | None = None
    keywords: Strings | None = None


# -- samples --------------------------------------------------------------------------


class CreateSample(Ownable):
    sampleId: StrictStr | None = None
    sampleName: NonEmpty
    owner: StrictStr | None = None
    description: StrictStr | None = None
    type: StrictStr | None = None
    proposalId: StrictStr | None = None
    parentSampleId: StrictStr | None = None
    sampleCharacteristics: JsonObject | None = None
    isPublished: StrictBool | None = None


# -- instruments ----------------------------------------------------------------------


class CreateInstrument(Strict):
    pid: StrictStr | None = None
    uniqueName: NonEmpty
    name: NonEmpty
    customMetadata: JsonObject | None = None


class Credentials(Strict):
    username: StrictStr
    password: StrictStr
