"""What the acquisition routes answer: images, beamline setups, detectors, robot
actions, energy scans and fluorescence spectra (ISPyB's columns)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from .common import InputModel, OrmModel


class ImageOut(OrmModel):
    imageId: int
    dataCollectionId: int
    imageNumber: int | None
    fileName: str | None
    fileLocation: str | None
    measuredIntensity: float | None
    jpegFileFullPath: str | None
    jpegThumbnailFileFullPath: str | None
    temperature: float | None
    cumulativeIntensity: float | None
    synchrotronCurrent: float | None
    comments: str | None
    machineMessage: str | None
    motorPositionId: int | None
    recordTimeStamp: datetime | None


class BeamLineSetupOut(OrmModel):
    beamLineSetupId: int
    synchrotronMode: str | None
    undulatorType1: str | None
    undulatorType2: str | None
    undulatorType3: str | None
    focalSpotSizeAtSample: float | None
    focusingOptic: str | None
    beamDivergenceHorizontal: float | None
    beamDivergenceVertical: float | None
    polarisation: float | None
    monochromatorType: str | None
    setupDate: datetime | None
    synchrotronName: str | None
    maxExpTimePerDataCollection: float | None
    minExposureTimePerImage: float | None
    goniostatMaxOscillationSpeed: float | None
    goniostatMinOscillationWidth: float | None
    minTransmission: float | None
    CS: float | None


class DetectorFields(InputModel):
    detectorType: str | None = Field(None, max_length=255)
    detectorManufacturer: str | None = Field(None, max_length=255)
    detectorModel: str | None = Field(None, max_length=255)
    detectorMode: str | None = Field(None, max_length=255)
    detectorSerialNumber: str | None = Field(None, max_length=30)
    detectorPixelSizeHorizontal: float | None = Field(None, gt=0, description="mm")
    detectorPixelSizeVertical: float | None = Field(None, gt=0, description="mm")
    detectorDistanceMin: float | None = None
    detectorDistanceMax: float | None = None
    sensorThickness: float | None = Field(None, ge=0)
    detectorMaxResolution: float | None = None
    detectorMinResolution: float | None = None
    localName: str | None = Field(None, max_length=40)


class DetectorOut(OrmModel):
    detectorId: int
    detectorType: str | None
    detectorManufacturer: str | None
    detectorModel: str | None
    detectorMode: str | None
    detectorSerialNumber: str | None
    detectorPixelSizeHorizontal: float | None
    detectorPixelSizeVertical: float | None
    detectorDistanceMin: float | None
    detectorDistanceMax: float | None
    sensorThickness: float | None
    detectorMaxResolution: float | None
    detectorMinResolution: float | None
    localName: str | None


class RobotActionOut(OrmModel):
    robotActionId: int
    blsessionId: int
    blsampleId: int | None
    actionType: str | None
    startTimestamp: datetime | None
    endTimestamp: datetime | None
    status: str | None
    message: str | None
    containerLocation: int | None
    dewarLocation: int | None
    sampleBarcode: str | None
    xtalSnapshotBefore: str | None
    xtalSnapshotAfter: str | None


class EnergyScanOut(OrmModel):
    energyScanId: int
    sessionId: int
    blSampleId: int | None
    element: str | None
    startTime: datetime | None
    endTime: datetime | None
    startEnergy: float | None
    endEnergy: float | None
    edgeEnergy: str | None
    peakEnergy: float | None
    peakFPrime: float | None
    peakFDoublePrime: float | None
    inflectionEnergy: float | None
    inflectionFPrime: float | None
    inflectionFDoublePrime: float | None
    remoteEnergy: float | None
    remoteFPrime: float | None
    remoteFDoublePrime: float | None
    fluorescenceDetector: str | None
    scanFileFullPath: str | None
    jpegChoochFileFullPath: str | None
    filename: str | None
    transmissionFactor: float | None
    exposureTime: float | None
    flux: float | None
    beamSizeHorizontal: float | None
    beamSizeVertical: float | None
    comments: str | None
    sampleIds: list[int] = Field([], description="BLSample_has_EnergyScan")


class XfeSpectrumOut(OrmModel):
    xfeFluorescenceSpectrumId: int
    sessionId: int
    blSampleId: int | None
    startTime: datetime | None
    endTime: datetime | None
    energy: float | None
    exposureTime: float | None
    beamTransmission: float | None
    flux: float | None
    beamSizeHorizontal: float | None
    beamSizeVertical: float | None
    filename: str | None
    scanFileFullPath: str | None
    jpegScanFileFullPath: str | None
    annotatedPymcaXfeSpectrum: str | None
    fittedDataFileFullPath: str | None
    comments: str | None
