"""Data collection groups, data collections and the events that list them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from .. import models, rules
from .acquisition import DetectorOut, EnergyScanOut, RobotActionOut, XfeSpectrumOut
from .common import DbDateTime, InputModel, OrmModel

# ISPyB's enum, kept once in rules (a tuple subscript is Literal's list of values).
ExperimentType = Literal[rules.EXPERIMENT_TYPES]  # type: ignore[valid-type]
RotationAxis = Literal["Omega", "Kappa", "Phi"]
# Workflow.workflowType's values (MXPressE, XrayCentering...), read from the ORM's column.
WORKFLOW_TYPES: tuple[str, ...] = tuple(models.Workflow.__table__.c.workflowType.type.enums)
WorkflowType = Literal[WORKFLOW_TYPES]  # type: ignore[valid-type]


class WorkflowIn(InputModel):
    """The group's ``Workflow`` row: what an automated workflow (ESRF's BES: MXPressE,
    XrayCentering...) records about the collection it drove."""

    workflowTitle: str | None = Field(None, max_length=255)
    workflowType: WorkflowType | None = None
    status: str | None = Field(None, max_length=255, description="Success, Failure, Started...")
    comments: str | None = Field(None, max_length=1024)


class WorkflowOut(OrmModel):
    """py-ISPyB's ``Workflow`` schema."""

    workflowId: int
    workflowTitle: str | None
    workflowType: str | None
    status: str | None
    comments: str | None


class GroupFields(InputModel):
    experimentType: ExperimentType | None = None
    startTime: DbDateTime | None = None
    endTime: DbDateTime | None = None
    crystalClass: str | None = Field(None, max_length=20)
    comments: str | None = Field(None, max_length=1024)
    detectorMode: str | None = Field(None, max_length=255)
    actualSampleBarcode: str | None = Field(None, max_length=45)
    actualSampleSlotInContainer: int | None = Field(None, ge=1)
    actualContainerBarcode: str | None = Field(None, max_length=45)
    actualContainerSlotInSC: int | None = Field(None, ge=1)
    xtalSnapshotFullPath: str | None = Field(None, max_length=255)
    Workflow: WorkflowIn | None = Field(
        None, description="the workflow that collected it (created, or the group's updated)"
    )


class GroupCreate(GroupFields):
    sessionId: int
    blSampleId: int


class GroupOut(OrmModel):
    dataCollectionGroupId: int
    sessionId: int
    blSampleId: int | None
    workflowId: int | None
    experimentType: str | None
    startTime: datetime | None
    endTime: datetime | None
    crystalClass: str | None
    comments: str | None
    detectorMode: str | None
    actualSampleBarcode: str | None
    actualSampleSlotInContainer: int | None
    actualContainerBarcode: str | None
    actualContainerSlotInSC: int | None
    xtalSnapshotFullPath: str | None
    Workflow: WorkflowOut | None = None


class DataCollectionFields(InputModel):
    """The columns MXCuBE fills in, with ISPyB's names and units."""

    startTime: DbDateTime | None = None
    endTime: DbDateTime | None = None
    runStatus: str | None = Field(None, max_length=45)
    axisStart: float | None = None
    axisEnd: float | None = None
    axisRange: float | None = Field(None, ge=0, description="Oscillation per image, degrees")
    overlap: float | None = None
    numberOfImages: int | None = Field(None, ge=0)
    startImageNumber: int | None = Field(None, ge=0)
    numberOfPasses: int | None = Field(None, ge=0)
    exposureTime: float | None = Field(None, ge=0, description="Seconds per image")
    imageSuffix: str | None = Field(None, max_length=45)
    imageContainerSubPath: str | None = Field(None, max_length=255)
    fileTemplate: str | None = Field(None, max_length=255)
    wavelength: float | None = Field(None, gt=0, description="Angstrom")
    resolution: float | None = Field(None, gt=0, description="Angstrom at the detector edge")
    resolutionAtCorner: float | None = Field(None, gt=0)
    detectorDistance: float | None = Field(None, gt=0, description="mm")
    xBeam: float | None = None
    yBeam: float | None = None
    transmission: float | None = Field(None, ge=0, le=100, description="percent")
    flux: float | None = Field(None, ge=0, description="photons/s")
    flux_end: float | None = Field(None, ge=0)
    beamSizeAtSampleX: float | None = Field(None, ge=0, description="mm")
    beamSizeAtSampleY: float | None = Field(None, ge=0, description="mm")
    beamShape: str | None = Field(None, max_length=45)
    rotationAxis: RotationAxis | None = None
    phiStart: float | None = None
    kappaStart: float | None = None
    omegaStart: float | None = None
    chiStart: float | None = None
    slitGapVertical: float | None = None
    slitGapHorizontal: float | None = None
    undulatorGap1: float | None = None
    synchrotronMode: str | None = Field(None, max_length=20)
    comments: str | None = Field(None, max_length=1024)
    xtalSnapshotFullPath1: str | None = Field(None, max_length=255)
    xtalSnapshotFullPath2: str | None = Field(None, max_length=255)
    xtalSnapshotFullPath3: str | None = Field(None, max_length=255)
    xtalSnapshotFullPath4: str | None = Field(None, max_length=255)


class DataCollectionKey(InputModel):
    """Where the images are: unique within a data collection group."""

    imageDirectory: str = Field(min_length=1, max_length=255)
    imagePrefix: str = Field(min_length=1, max_length=100)
    dataCollectionNumber: int = Field(ge=0, description="Run number")


class DataCollectionCreate(DataCollectionFields, DataCollectionKey):
    dataCollectionGroupId: int


class GroupRef(OrmModel):
    """py-ISPyB's ``DataCollectionGroup`` (with its ``Workflow``), plus session and sample."""

    dataCollectionGroupId: int
    experimentType: str | None
    sessionId: int
    blSampleId: int | None
    workflowId: int | None
    Workflow: WorkflowOut | None = None


class DataCollectionOut(OrmModel):
    dataCollectionId: int
    dataCollectionGroupId: int
    blSampleId: int | None
    sessionId: int | None
    imageDirectory: str | None
    imagePrefix: str | None
    dataCollectionNumber: int | None
    startTime: datetime | None
    endTime: datetime | None
    runStatus: str | None
    axisStart: float | None
    axisEnd: float | None
    axisRange: float | None
    overlap: float | None
    numberOfImages: int | None
    startImageNumber: int | None
    numberOfPasses: int | None
    exposureTime: float | None
    imageSuffix: str | None
    imageContainerSubPath: str | None
    fileTemplate: str | None
    wavelength: float | None
    resolution: float | None
    resolutionAtCorner: float | None
    detectorDistance: float | None
    xBeam: float | None
    yBeam: float | None
    transmission: float | None
    flux: float | None
    flux_end: float | None
    beamSizeAtSampleX: float | None
    beamSizeAtSampleY: float | None
    beamShape: str | None
    rotationAxis: str | None
    phiStart: float | None
    kappaStart: float | None
    omegaStart: float | None
    chiStart: float | None
    slitGapVertical: float | None
    slitGapHorizontal: float | None
    undulatorGap1: float | None
    synchrotronMode: str | None
    comments: str | None
    xtalSnapshotFullPath1: str | None
    xtalSnapshotFullPath2: str | None
    xtalSnapshotFullPath3: str | None
    xtalSnapshotFullPath4: str | None
    detectorId: int | None
    Detector: DetectorOut | None = Field(
        None, description="the Detector row detectorId points at (as DataCollectionGroup is nested)"
    )
    experimentType: str | None
    undulatorGap2: float | None
    undulatorGap3: float | None
    centeringMethod: str | None
    actualCenteringPosition: str | None
    actualContainerSlotInSC: int | None
    actualSampleSlotInContainer: int | None
    totalAbsorbedDose: float | None
    DataCollectionGroup: GroupRef


class EventOut(OrmModel):
    """One row of ``GET /events``: a data collection group (or one collection of it),
    a robot action, a fluorescence spectrum or an energy scan."""

    id: int
    type: Literal["dc", "robot", "xrf", "es"]
    startTime: datetime | None
    endTime: datetime | None
    duration: float | None = Field(description="Seconds")
    count: int
    session: str
    sessionId: int
    proposal: str
    blSample: str | None
    blSampleId: int | None
    Item: DataCollectionOut | RobotActionOut | XfeSpectrumOut | EnergyScanOut
