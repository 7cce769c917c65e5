"""Auto-processing: a program run on one data collection, its cell, statistics and files."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from scicatlive.domain.model.base import GraphModel


class AutoProc(GraphModel):
    spaceGroup: str = Field(description="with blanks, e.g. 'P 21 21 21'")
    refinedCell_a: float
    refinedCell_b: float
    refinedCell_c: float
    refinedCell_alpha: float
    refinedCell_beta: float
    refinedCell_gamma: float


_AutoProc = AutoProc


class AutoProcIntegration(GraphModel):
    startImageNumber: int
    endImageNumber: int
    refinedDetectorDistance: float | None = None
    refinedXBeam: float | None = None
    refinedYBeam: float | None = None
    cell_a: float | None = None
    cell_b: float | None = None
    cell_c: float | None = None
    cell_alpha: float | None = None
    cell_beta: float | None = None
    cell_gamma: float | None = None
    anomalous: bool = False


_AutoProcIntegration = AutoProcIntegration


ShellType = Literal["overall", "innerShell", "outerShell"]


class AutoProcScalingStatistics(GraphModel):
    """One shell. R-factors and CC are fractions, completeness in % (see providers.statistics)."""

    scalingStatisticsType: ShellType
    resolutionLimitLow: float
    resolutionLimitHigh: float
    rMerge: float
    rMeasAllIPlusIMinus: float
    rPimAllIPlusIMinus: float
    meanIOverSigI: float
    completeness: float
    multiplicity: float
    anomalousCompleteness: float
    anomalousMultiplicity: float
    ccHalf: float
    ccAno: float | None
    nTotalObservations: int
    nTotalUniqueObservations: int
    anomalous: bool


_AutoProcScalingStatistics = AutoProcScalingStatistics


class AutoProcProgramAttachment(GraphModel):
    fileType: Literal["Log", "Result", "Graph"]
    fileName: str = Field(max_length=255)
    filePath: str = Field(max_length=255)
    fileSize: int = Field(ge=0, description="catalogue only: bytes")
    content: str | None = Field(default=None, description="catalogue only: the log's summary")


class AutoProcProgram(GraphModel):
    processingPrograms: str
    processingCommandLine: str = Field(max_length=255)
    processingStatus: Literal["SUCCESS", "FAILED"]
    processingMessage: str | None = Field(default=None, max_length=255)
    processingStartTime: datetime
    processingEndTime: datetime
    processingEnvironment: str | None = None
    AutoProc: _AutoProc | None
    AutoProcIntegration: _AutoProcIntegration
    AutoProcScalingStatistics: list[_AutoProcScalingStatistics] = Field(
        description="empty, or the shells overall, innerShell, outerShell"
    )
    attachments: list[AutoProcProgramAttachment]

    @property
    def succeeded(self) -> bool:
        return self.processingStatus == "SUCCESS"

    def shell(self, kind: ShellType) -> _AutoProcScalingStatistics:
        return next(s for s in self.AutoProcScalingStatistics if s.scalingStatisticsType == kind)
