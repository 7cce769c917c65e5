"""What MXCuBE's py-ISPyB adapter (mxcubecore ``PyISPyBDataAdapter``) posts: its own
dictionaries, as they are.

Public py-ISPyB has none of these write routes, so mxcubecore is the contract:
unknown keys are ignored (the adapter posts whole collect dictionaries), ids may
come as strings, an empty string means "not given", times come as
``%Y-%m-%d %H:%M:%S`` or ISO 8601. Every field a route uses is named here, with
the bounds of the ISPyB column it lands in, so bad input is a 422 naming it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .common import DbDateTime

MAX_ID = 2**31 - 1


def _blank(value: Any) -> Any:
    """mxcubecore sends "" for values it does not have."""
    return None if value == "" else value


def _absent_id(value: Any) -> Any:
    """... and -1 for a sample (or a location) without one."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return None
    return _blank(value)


def _group_id(value: Any) -> Any:
    """The queue keeps the whole reply of ``POST datacollections/group`` as the group id."""
    if isinstance(value, dict):
        return value.get("dataCollectionGroupId")
    return _absent_id(value)


# Constraints sit on the inner type: None (absent) passes them by.
Id = Annotated[Annotated[int, Field(ge=1, le=MAX_ID)] | None, BeforeValidator(_absent_id)]
GroupId = Annotated[Annotated[int, Field(ge=1, le=MAX_ID)] | None, BeforeValidator(_group_id)]
Time = Annotated[DbDateTime | None, BeforeValidator(_blank)]
Number = Annotated[float | None, BeforeValidator(_blank)]
Count = Annotated[Annotated[int, Field(ge=0, le=MAX_ID)] | None, BeforeValidator(_absent_id)]

Text7 = Annotated[Annotated[str, Field(max_length=7)] | None, BeforeValidator(_blank)]
Text14 = Annotated[Annotated[str, Field(max_length=14)] | None, BeforeValidator(_blank)]
Text20 = Annotated[Annotated[str, Field(max_length=20)] | None, BeforeValidator(_blank)]
Text24 = Annotated[Annotated[str, Field(max_length=24)] | None, BeforeValidator(_blank)]
Text45 = Annotated[Annotated[str, Field(max_length=45)] | None, BeforeValidator(_blank)]
Text100 = Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(_blank)]
Text255 = Annotated[Annotated[str, Field(max_length=255)] | None, BeforeValidator(_blank)]
Text512 = Annotated[Annotated[str, Field(max_length=512)] | None, BeforeValidator(_blank)]
Text1024 = Annotated[Annotated[str, Field(max_length=1024)] | None, BeforeValidator(_blank)]


class Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SampleReference(Lenient):
    blSampleId: Id = None


class FileInfo(Lenient):
    directory: Text255 = None
    prefix: Text100 = None
    suffix: Text45 = None
    template: Text255 = None
    run_number: Count = None


class Oscillation(Lenient):
    start: Number = None
    range: Number = None
    offset: Number = None
    number_of_images: Count = None
    start_image_number: Count = None
    number_of_passes: Count = None
    exposure_time: Number = None
    kappaStart: Number = None
    phiStart: Number = None


class MxGroupIn(Lenient):
    """``POST datacollections/group``: the queue's ``{sessionId, experimentType, slots}``,
    or on update the whole collect dictionary with its ``group_id``."""

    sessionId: Id = None
    group_id: GroupId = None
    dataCollectionGroupId: GroupId = None
    experimentType: Text24 = None
    experiment_type: Text24 = None
    helical: bool | None = None
    blSampleId: Id = None
    sample_reference: SampleReference | None = None
    actualContainerSlotInSC: Count = None
    actualSampleSlotInContainer: Count = None
    actualContainerBarcode: Text45 = None
    actualSampleBarcode: Text45 = None
    comments: Text1024 = None
    collection_start_time: Time = None
    startTime: Time = None
    endTime: Time = None

    def existing_group(self) -> int | None:
        return self.group_id or self.dataCollectionGroupId

    def sample_id(self) -> int | None:
        reference = self.sample_reference.blSampleId if self.sample_reference else None
        return self.blSampleId or reference

    def experiment(self) -> str | None:
        """mxcubecore's rule: a helical collection is "Helical", a mesh "Mesh"."""
        if self.helical:
            return "Helical"
        kind = self.experimentType or self.experiment_type
        return "Mesh" if kind is not None and kind.lower() == "mesh" else kind


class MxCollectionIn(MxGroupIn):
    """``POST datacollections/datacollection``: the collect dictionary of a collection."""

    collection_id: Id = None
    fileinfo: FileInfo | None = None
    oscillation_sequence: list[Oscillation] = Field(default=[], max_length=1)
    status: Text45 = None
    wavelength: Number = None
    resolution: Annotated[float | dict[str, float] | None, BeforeValidator(_blank)] = None
    resolutionAtCorner: Number = None
    detectorDistance: Number = None
    detector_distance: Number = None
    xBeam: Number = None
    yBeam: Number = None
    beamSizeAtSampleX: Number = None
    beamSizeAtSampleY: Number = None
    beamShape: Text45 = None
    slitGapHorizontal: Number = None
    slitGapVertical: Number = None
    synchrotronMode: Text20 = None
    flux: Number = None
    flux_end: Number = None
    transmission: Number = None
    undulatorGap1: Number = None
    undulatorGap2: Number = None
    undulatorGap3: Number = None
    totalAbsorbedDose: Number = None
    xtalSnapshotFullPath1: Text255 = None
    xtalSnapshotFullPath2: Text255 = None
    xtalSnapshotFullPath3: Text255 = None
    xtalSnapshotFullPath4: Text255 = None
    centringMethod: Text255 = None
    actualCentringPosition: Text255 = None
    detectorId: Id = None
    detector_id: Id = None


class ImageIn(Lenient):
    dataCollectionId: Id = None
    fileName: Text255 = None
    fileLocation: Text255 = None
    imageNumber: Count = None
    measuredIntensity: Number = None
    synchrotronCurrent: Number = None
    machineMessage: Text1024 = None
    temperature: Number = None
    cumulativeIntensity: Number = None
    comments: Text1024 = None
    jpegFileFullPath: Text255 = None
    jpegThumbnailFileFullPath: Text255 = None
    motorPositionId: Id = None


class RobotActionIn(Lenient):
    """``mount_sample``'s dictionary after the adapter renamed ``sampleId`` and the times."""

    sessionId: Id = None
    blSampleId: Id = None
    actionType: Text7 = None
    status: Text14 = None
    message: Text255 = None
    containerLocation: Count = None
    dewarLocation: Count = None
    sampleBarcode: Text45 = None
    startTimestamp: Time = None
    endTimestamp: Time = None
    xtalSnapshotBefore: Text255 = None
    xtalSnapshotAfter: Text255 = None


class EnergyScanIn(Lenient):
    sessionId: Id = None
    blSampleId: Id = None
    element: Text45 = None
    startTime: Time = None
    endTime: Time = None
    startEnergy: Number = None
    endEnergy: Number = None
    edgeEnergy: Annotated[str | None, BeforeValidator(lambda v: None if v == "" else str(v))] = None
    peakEnergy: Number = None
    peakFPrime: Number = None
    peakFDoublePrime: Number = None
    inflectionEnergy: Number = None
    inflectionFPrime: Number = None
    inflectionFDoublePrime: Number = None
    remoteEnergy: Number = None
    remoteFPrime: Number = None
    remoteFDoublePrime: Number = None
    fluorescenceDetector: Text255 = None
    scanFileFullPath: Text255 = None
    choochFileFullPath: Text255 = None
    jpegChoochFileFullPath: Text255 = None
    filename: Text255 = None
    transmissionFactor: Number = None
    exposureTime: Number = None
    synchrotronCurrent: Number = None
    temperature: Number = None
    flux: Number = None
    flux_end: Number = None
    beamSizeHorizontal: Number = None
    beamSizeVertical: Number = None
    crystalClass: Text20 = None
    comments: Text1024 = None
    workingDirectory: Text45 = None


class EnergyScanSampleIn(Lenient):
    energyScanId: Id = None
    blSampleId: Id = None


class XfeSpectrumIn(Lenient):
    sessionId: Id = None
    blSampleId: Id = None
    startTime: Time = None
    endTime: Time = None
    energy: Number = None
    exposureTime: Number = None
    beamTransmission: Number = None
    flux: Number = None
    flux_end: Number = None
    beamSizeHorizontal: Number = None
    beamSizeVertical: Number = None
    filename: Text255 = None
    scanFileFullPath: Text255 = None
    jpegScanFileFullPath: Text255 = None
    annotatedPymcaXfeSpectrum: Text255 = None
    fittedDataFileFullPath: Text255 = None
    crystalClass: Text20 = None
    comments: Text1024 = None
    workingDirectory: Text512 = None


class SampleUpdateIn(Lenient):
    """``PATCH samples/{id}``: the collect's ``current_lims_sample``; what ISPyB keeps of it."""

    blSampleId: Id = None
    lastKnownCentringPosition: Text255 = None
    lastKnownCenteringPosition: Text255 = None
    isInSampleChanger: bool | None = None
    blSampleStatus: Text20 = None
    comments: Text1024 = None
    lastImageURL: Text255 = None


def _undulator(value: Any) -> Any:
    """An undulator of ``bl_config.undulators``: ``{"type": ...}``, a name, or a pair."""
    if isinstance(value, dict):
        return value.get("type")
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


class BeamlineSetupIn(Lenient):
    """``POST beamline-setups/beamline-setup``: MXCuBE's ``bl_config`` (snake_case keys),
    or the BeamLineSetup columns themselves."""

    synchrotron_name: Text255 = None
    synchrotronName: Text255 = None
    synchrotronMode: Text255 = None
    undulators: list[Annotated[Text45, BeforeValidator(_undulator)]] = Field([], max_length=3)
    focusing_optic: Text255 = None
    focusingOptic: Text255 = None
    monochromator_type: Text255 = None
    monochromatorType: Text255 = None
    beam_divergence_vertical: Number = None
    beamDivergenceVertical: Number = None
    beam_divergence_horizontal: Number = None
    beamDivergenceHorizontal: Number = None
    polarisation: Number = None
    minimum_exposure_time: Number = None
    minExposureTimePerImage: Number = None
    maximum_phi_speed: Number = None
    goniostatMaxOscillationSpeed: Number = None
    minimum_phi_oscillation: Number = None
    goniostatMinOscillationWidth: Number = None
    focalSpotSizeAtSample: Number = None
    maxExpTimePerDataCollection: Number = None
    minTransmission: Number = None

    def columns(self) -> dict[str, Any]:
        """The BeamLineSetup columns, the column names winning over MXCuBE's keys."""
        values = {
            "synchrotronName": self.synchrotronName or self.synchrotron_name,
            "synchrotronMode": self.synchrotronMode,
            "focusingOptic": self.focusingOptic or self.focusing_optic,
            "monochromatorType": self.monochromatorType or self.monochromator_type,
            "beamDivergenceVertical": _first(
                self.beamDivergenceVertical, self.beam_divergence_vertical
            ),
            "beamDivergenceHorizontal": _first(
                self.beamDivergenceHorizontal, self.beam_divergence_horizontal
            ),
            "polarisation": self.polarisation,
            "minExposureTimePerImage": _first(
                self.minExposureTimePerImage, self.minimum_exposure_time
            ),
            "goniostatMaxOscillationSpeed": _first(
                self.goniostatMaxOscillationSpeed, self.maximum_phi_speed
            ),
            "goniostatMinOscillationWidth": _first(
                self.goniostatMinOscillationWidth, self.minimum_phi_oscillation
            ),
            "focalSpotSizeAtSample": self.focalSpotSizeAtSample,
            "maxExpTimePerDataCollection": self.maxExpTimePerDataCollection,
            "minTransmission": self.minTransmission,
        }
        for index, kind in enumerate(self.undulators, start=1):
            values[f"undulatorType{index}"] = kind
        return values


def _first(*values: float | None) -> float | None:
    return next((value for value in values if value is not None), None)
