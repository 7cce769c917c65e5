"""Auto-processing: program, integration, scaling and its three statistics shells."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, computed_field, field_validator

from .common import DbDateTime, InputModel, OrmModel

ProcessingStatus = Literal["RUNNING", "FAILED", "SUCCESS"]
Shell = Literal["overall", "innerShell", "outerShell"]
AttachmentType = Literal["Log", "Result", "Graph"]

_STATUS_CODES: dict[str, int] = {"SUCCESS": 1, "1": 1, "FAILED": 0, "0": 0}


def status_code(stored: object) -> int | None:
    """py-ISPyB's JSON status (1 success, 0 failed, null running) of the ESRF enum column."""
    if isinstance(stored, int):
        return stored
    return _STATUS_CODES.get(str(stored)) if stored is not None else None


class AutoProcIn(InputModel):
    spaceGroup: str | None = Field(None, max_length=45)
    refinedCell_a: float | None = Field(None, ge=0)
    refinedCell_b: float | None = Field(None, ge=0)
    refinedCell_c: float | None = Field(None, ge=0)
    refinedCell_alpha: float | None = Field(None, ge=0, le=180)
    refinedCell_beta: float | None = Field(None, ge=0, le=180)
    refinedCell_gamma: float | None = Field(None, ge=0, le=180)


class IntegrationIn(InputModel):
    startImageNumber: int | None = Field(None, ge=0)
    endImageNumber: int | None = Field(None, ge=0)
    refinedDetectorDistance: float | None = None
    refinedXBeam: float | None = None
    refinedYBeam: float | None = None
    cell_a: float | None = Field(None, ge=0)
    cell_b: float | None = Field(None, ge=0)
    cell_c: float | None = Field(None, ge=0)
    cell_alpha: float | None = Field(None, ge=0, le=180)
    cell_beta: float | None = Field(None, ge=0, le=180)
    cell_gamma: float | None = Field(None, ge=0, le=180)
    anomalous: bool = False


def _number_as_text(value: object) -> object:
    """SigAno and ISa are numbers in varchar columns: pipelines send numbers or text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


# A varchar(45) column holding a number (AutoProcScalingStatistics.sigAno, .isa).
NumberText = Annotated[
    Annotated[str, Field(max_length=45)] | None, BeforeValidator(_number_as_text)
]


class ScalingStatisticsIn(InputModel):
    scalingStatisticsType: Shell
    resolutionLimitLow: float | None = Field(None, gt=0)
    resolutionLimitHigh: float | None = Field(None, gt=0)
    rMerge: float | None = None
    rMeasAllIPlusIMinus: float | None = None
    rPimAllIPlusIMinus: float | None = None
    meanIOverSigI: float | None = None
    completeness: float | None = Field(None, ge=0)
    multiplicity: float | None = Field(None, ge=0)
    anomalousCompleteness: float | None = Field(None, ge=0)
    anomalousMultiplicity: float | None = Field(None, ge=0)
    ccHalf: float | None = None
    ccAno: float | None = None
    sigAno: NumberText = Field(None, description="XDS SigAno (text)")
    isa: NumberText = Field(None, description="XDS ISa (text), one value per data set")
    nTotalObservations: int | None = Field(None, ge=0)
    nTotalUniqueObservations: int | None = Field(None, ge=0)
    anomalous: bool = False
    comments: str | None = Field(None, max_length=255)


class AttachmentIn(InputModel):
    fileType: AttachmentType
    fileName: str = Field(min_length=1, max_length=255)
    filePath: str = Field(min_length=1, max_length=255)


class AutoProcessingFields(InputModel):
    processingPrograms: str = Field(min_length=1, max_length=255)
    processingCommandLine: str | None = Field(None, max_length=255)
    processingStatus: ProcessingStatus | None = None
    processingMessage: str | None = Field(None, max_length=255)
    processingStartTime: DbDateTime | None = None
    processingEndTime: DbDateTime | None = None
    processingEnvironment: str | None = Field(None, max_length=255)
    AutoProc: AutoProcIn | None = None
    AutoProcIntegration: IntegrationIn = IntegrationIn()
    AutoProcScalingStatistics: list[ScalingStatisticsIn] = Field(
        default=[], description="Empty, or exactly the shells overall, innerShell, outerShell"
    )
    attachments: list[AttachmentIn] = []


class AutoProcessingCreate(AutoProcessingFields):
    dataCollectionId: int


class AutoProcessingCreated(OrmModel):
    autoProcProgramId: int
    autoProcIntegrationId: int
    autoProcId: int | None
    autoProcScalingId: int | None


class AutoProcOut(OrmModel):
    autoProcId: int
    spaceGroup: str | None
    refinedCell_a: float | None
    refinedCell_b: float | None
    refinedCell_c: float | None
    refinedCell_alpha: float | None
    refinedCell_beta: float | None
    refinedCell_gamma: float | None


class ScalingStatisticsOut(OrmModel):
    autoProcScalingStatisticsId: int
    scalingStatisticsType: str
    resolutionLimitLow: float | None
    resolutionLimitHigh: float | None
    rMerge: float | None
    rMeasAllIPlusIMinus: float | None
    rPimAllIPlusIMinus: float | None
    meanIOverSigI: float | None
    completeness: float | None
    multiplicity: float | None
    anomalousCompleteness: float | None
    anomalousMultiplicity: float | None
    ccHalf: float | None
    ccAno: float | None
    sigAno: str | None
    isa: str | None
    nTotalObservations: int | None
    nTotalUniqueObservations: int | None
    anomalous: bool | None
    comments: str | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ccAnomalous(self) -> float | None:
        """py-ISPyB's name for the ESRF column ``ccAno``."""
        return self.ccAno


class ScalingOut(OrmModel):
    autoProcScalingId: int
    AutoProc: AutoProcOut | None = None
    AutoProcScalingStatistics: list[ScalingStatisticsOut] = []


class ScalingHasIntOut(OrmModel):
    AutoProcScaling: ScalingOut


class IntegrationOut(OrmModel):
    autoProcIntegrationId: int
    dataCollectionId: int
    startImageNumber: int | None
    endImageNumber: int | None
    refinedDetectorDistance: float | None
    refinedXBeam: float | None
    refinedYBeam: float | None
    cell_a: float | None
    cell_b: float | None
    cell_c: float | None
    cell_alpha: float | None
    cell_beta: float | None
    cell_gamma: float | None
    anomalous: bool | None
    AutoProcScalingHasInt: list[ScalingHasIntOut] = []


class AutoIntegrationMeta(OrmModel):
    attachments: int


class AutoIntegrationOut(OrmModel):
    autoProcProgramId: int
    dataCollectionId: int | None
    processingPrograms: str | None
    processingCommandLine: str | None
    processingStatus: int | None = Field(description="1 success, 0 failed, null running")
    processingMessage: str | None
    processingStartTime: datetime | None
    processingEndTime: datetime | None
    processingEnvironment: str | None
    recordTimeStamp: datetime | None
    AutoProcIntegration: list[IntegrationOut] = []
    meta: AutoIntegrationMeta | None = Field(None, serialization_alias="_metadata")

    _status = field_validator("processingStatus", mode="before")(status_code)


class AttachmentOut(OrmModel):
    autoProcProgramAttachmentId: int
    autoProcProgramId: int
    fileType: str | None
    fileName: str | None
    filePath: str | None


class ProgramStatus(OrmModel):
    status: int | None
    autoProcProgramId: int

    _status = field_validator("status", mode="before")(status_code)


class DataCollectionStatus(OrmModel):
    screening: None = None
    xrc: None = None
    em: None = None
    processing: dict[str, list[ProgramStatus]]
    autoIntegration: dict[str, list[ProgramStatus]]


class ProcessingStatuses(OrmModel):
    statuses: dict[int, DataCollectionStatus]
