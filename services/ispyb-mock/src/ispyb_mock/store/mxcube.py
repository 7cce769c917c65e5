"""MXCuBE's collect dictionaries in ISPyB's columns.

The mapping is mxcubecore's own (``ISPyBValueFactory``, which its SOAP client used
to fill ISPyB): ``status`` is ``runStatus``; of the single oscillation, ``start`` is
``axisStart``, ``-offset`` the ``overlap`` and ``axisEnd = start + (range + offset)
* images``; a non-zero kappa makes ``Omega`` the rotation axis; ``fileinfo`` gives
directory, prefix, suffix, template and run number; ``collection_start_time`` is the
start, and each store or update stamps the end.
"""

from __future__ import annotations

from typing import Any

from ..schemas.mxcube import MxCollectionIn, MxGroupIn
from .acquisition import CollectionWrite, GroupWrite
from .common import now

_KAPPA_UNSET = -9999

_COPIED = (
    "wavelength", "resolutionAtCorner", "xBeam", "yBeam", "beamSizeAtSampleX",
    "beamSizeAtSampleY", "beamShape", "slitGapHorizontal", "slitGapVertical",
    "synchrotronMode", "flux", "flux_end", "transmission", "undulatorGap1", "undulatorGap2",
    "undulatorGap3", "totalAbsorbedDose", "xtalSnapshotFullPath1", "xtalSnapshotFullPath2",
    "xtalSnapshotFullPath3", "xtalSnapshotFullPath4", "comments",
)  # fmt: skip


def group_write(body: MxGroupIn) -> GroupWrite:
    return GroupWrite(
        session_id=body.sessionId,
        group_id=body.existing_group(),
        sample_id=body.sample_id(),
        container_slot=body.actualContainerSlotInSC,
        sample_slot=body.actualSampleSlotInContainer,
        values={
            "experimentType": body.experiment(),
            "actualContainerSlotInSC": body.actualContainerSlotInSC,
            "actualSampleSlotInContainer": body.actualSampleSlotInContainer,
            "actualContainerBarcode": body.actualContainerBarcode,
            "actualSampleBarcode": body.actualSampleBarcode,
            "comments": body.comments,
            "startTime": body.collection_start_time or body.startTime,
            "endTime": body.endTime,
        },
    )


def _oscillation(body: MxCollectionIn) -> dict[str, Any]:
    if not body.oscillation_sequence:
        return {}
    osc = body.oscillation_sequence[0]
    values: dict[str, Any] = {
        "axisStart": osc.start,
        "axisRange": osc.range,
        "overlap": -osc.offset if osc.offset is not None else None,
        "numberOfImages": osc.number_of_images,
        "startImageNumber": osc.start_image_number,
        "numberOfPasses": osc.number_of_passes,
        "exposureTime": osc.exposure_time,
        "kappaStart": osc.kappaStart,
        "phiStart": osc.phiStart,
    }
    if None not in (osc.start, osc.range, osc.number_of_images):
        step = (osc.range or 0) + (osc.offset or 0)
        values["axisEnd"] = (osc.start or 0) + step * (osc.number_of_images or 0)
    if osc.kappaStart not in (None, 0, _KAPPA_UNSET):
        values |= {"rotationAxis": "Omega", "omegaStart": osc.start}
    else:
        values["rotationAxis"] = "Phi"
    return values


def _resolution(value: float | dict[str, float] | None) -> float | None:
    """A number, or mxcubecore's ``{"lower", "upper"}`` (the edge is the upper limit)."""
    if isinstance(value, dict):
        return value.get("upper")
    return value


def collection_write(body: MxCollectionIn) -> CollectionWrite:
    files = body.fileinfo
    values: dict[str, Any] = {name: getattr(body, name) for name in _COPIED}
    values |= _oscillation(body)
    values |= {
        "runStatus": body.status,
        "resolution": _resolution(body.resolution),
        "detectorDistance": body.detectorDistance or body.detector_distance,
        "centeringMethod": body.centringMethod,
        "actualCenteringPosition": body.actualCentringPosition,
        "detectorId": body.detectorId or body.detector_id,
        "experimentType": body.experiment(),
        "actualContainerSlotInSC": body.actualContainerSlotInSC,
        "actualSampleSlotInContainer": body.actualSampleSlotInContainer,
        "startTime": body.collection_start_time or body.startTime,
        "endTime": body.endTime or now(),
    }
    if files is not None:
        values |= {
            "imageDirectory": files.directory,
            "imagePrefix": files.prefix,
            "imageSuffix": files.suffix,
            "fileTemplate": files.template,
            "dataCollectionNumber": files.run_number,
        }
    if body.collection_id is None and values["startTime"] is None:
        values["startTime"] = now()
    return CollectionWrite(
        session_id=body.sessionId,
        group_id=body.existing_group(),
        sample_id=body.sample_id(),
        collection_id=body.collection_id,
        values=values,
    )
