"""Catalogue-only facts that ISPyB does not store, derived from what it does.

``scicatlive sync`` rebuilds the facility graph from ISPyB's API. A few fields
of the graph are not ISPyB columns (see ``scicatlive.domain.model``): the seed
invents them, sync has to derive them. Every rule here is deterministic (the
same ISPyB rows always give the same facts) and only uses ISPyB's own data:

============================  ==================================================================
fact                          rule
============================  ==================================================================
``externalId`` (person,        ``stable_uuid(site, kind, natural key)`` — exactly what the
proposal, session, protein)    generator writes (``scicatlive.domain.keys``)
``DataCollection.files``       from ``fileTemplate``, ``numberOfImages``, ``startImageNumber`` and
                               the detector (:func:`image_files`)
file ``writtenAt``             ``startTime`` + images written so far × ``exposureTime``, to the
                               second, never after ``endTime``
``DataCollection.published``   ``False``: sync publishes nothing; publication is a catalogue
                               decision
attachment ``fileSize``        MTZ files from the reflection counts, anything else 0 (unknown)
                               (:func:`attachment_size`)
attachment ``content``         ``None``: ISPyB keeps only the log's path, not its text (so sync
                               makes no SciCat attachment for a log)
``Beamline``                   the detector is the ``Detector`` row a collection's ``detectorId``
                               points at where ISPyB holds one (``scicatlive.sync.beamlines``);
                               else the catalogue detector that best explains the geometry of
                               the beamline's reference collections (:func:`infer_detector`);
                               sample changer and energy range from the pucks and collections
                               (:func:`derive_beamline`)
============================  ==================================================================

Records that ``seed`` created keep the values the generator gave them: SciCat
answers 409 for an existing id and nothing is overwritten.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from scicatlive.domain import model as m
from scicatlive.domain.diffraction import (
    IMAGES_PER_DATA_FILE,
    bragg_resolution,
    corner_radius,
    edge_radius,
)
from scicatlive.domain.instruments import (
    DETECTORS,
    PUCK_CAPACITY,
    SAMPLE_CHANGERS,
    Detector,
    SampleChanger,
)
from scicatlive.domain.keys import stable_uuid

BYTES_PER_PIXEL = 4  # 32-bit counts, before compression
COMPRESSION = {"h5": 0.045, "cbf": 0.25}  # bitshuffle-LZ4 (Eiger) / CBF byte offset (Pilatus)
OTHER_COMPRESSION = 1.0  # an unknown format: assume uncompressed
MASTER_FILE_BYTES = 3_750_000  # an Eiger master file: header, masks, no images
MTZ_BYTES_PER_OBSERVATION = 48  # unmerged MTZ: 12 float32 columns per observation
MTZ_BYTES_PER_REFLECTION = 40  # merged MTZ: 10 float32 columns per unique reflection
ENERGY_MARGIN_KEV = 1.0  # a beamline's derived energy range: observed energies ± this, whole keV


def external_id(site: str, kind: str, natural_key: str) -> str:
    """The ``externalId`` the generator gives a person, proposal, session or protein."""
    return str(stable_uuid(site, kind, natural_key))


# -- image files ----------------------------------------------------------------------------


def bytes_per_image(detector: m.Detector, image_format: str) -> int:
    """pixels × 4 bytes × the format's typical compression ratio."""
    ratio = COMPRESSION.get(image_format, OTHER_COMPRESSION)
    return int(detector.numberOfPixelsX * detector.numberOfPixelsY * BYTES_PER_PIXEL * ratio)


def image_files(collection: m.DataCollection, detector: m.Detector) -> list[m.ImageFile]:
    """The files a collection wrote, named like the detector names them.

    * ``…_master.h5`` (Eiger): the master file (:data:`MASTER_FILE_BYTES`, written at
      the start) plus ``…_data_NNNNNN.h5`` with up to 1,000 images each;
    * a template with ``#`` (Pilatus CBF): one file per image, numbered from
      ``startImageNumber``;
    * anything else: the one file the template names, holding every image.

    A data file's size is its images × :func:`bytes_per_image`.
    """
    template, count = collection.fileTemplate, collection.numberOfImages
    per_image = bytes_per_image(detector, collection.imageSuffix)
    if template.endswith("_master.h5"):
        return _eiger_files(collection, template.removesuffix("_master.h5"), per_image)
    hashes = re.search(r"#+", template)
    if hashes is not None:
        width, first = len(hashes.group()), collection.startImageNumber
        return [
            _file(
                collection,
                template.replace(hashes.group(), f"{first + i:0{width}d}"),
                per_image,
                i + 1,
            )
            for i in range(count)
        ]
    return [_file(collection, template, count * per_image, count)]


def _eiger_files(collection: m.DataCollection, stem: str, per_image: int) -> list[m.ImageFile]:
    count = collection.numberOfImages
    files = [_file(collection, f"{stem}_master.h5", MASTER_FILE_BYTES, 0)]
    for index in range(1, math.ceil(count / IMAGES_PER_DATA_FILE) + 1):
        written = min(count, index * IMAGES_PER_DATA_FILE)
        images = written - (index - 1) * IMAGES_PER_DATA_FILE
        files.append(_file(collection, f"{stem}_data_{index:06d}.h5", images * per_image, written))
    return files


def _file(collection: m.DataCollection, name: str, size: int, images_written: int) -> m.ImageFile:
    return m.ImageFile(
        fileName=name, fileSize=size, writtenAt=written_at(collection, images_written)
    )


def written_at(collection: m.DataCollection, images_written: int) -> datetime:
    """When the file holding the first ``images_written`` images was complete."""
    moment = collection.startTime + timedelta(
        seconds=round(images_written * collection.exposureTime)
    )
    return min(moment, collection.endTime)


# -- processing attachments -----------------------------------------------------------------


def attachment_size(
    file_name: str, file_type: str, overall: m.AutoProcScalingStatistics | None
) -> int:
    """Bytes of a processing file: MTZ files from the overall shell's counts, else 0 (unknown).

    An ``unmerged`` MTZ holds every observation (:data:`MTZ_BYTES_PER_OBSERVATION`), any
    other MTZ the unique reflections (:data:`MTZ_BYTES_PER_REFLECTION`).
    """
    if file_type != "Result" or overall is None or not file_name.endswith(".mtz"):
        return 0
    if "unmerged" in file_name:
        return overall.nTotalObservations * MTZ_BYTES_PER_OBSERVATION
    return overall.nTotalUniqueObservations * MTZ_BYTES_PER_REFLECTION


# -- beamlines ------------------------------------------------------------------------------


def derive_beamline(
    name: str, collections: Sequence[m.DataCollection], containers: Sequence[m.Container]
) -> m.Beamline:
    """A beamline as its data show it (see :func:`infer_detector`, :func:`infer_sample_changer`)."""
    detector = infer_detector(collections)
    changer = infer_sample_changer(containers)
    low, high = energy_range(collections)
    return m.Beamline(
        beamLineName=name,
        Detector=detector_model(detector),
        sampleChangerType=changer.name,
        sampleChangerCapacity=changer.puck_slots,
        energyMin=low,
        energyMax=high,
    )


def infer_detector(collections: Sequence[m.DataCollection]) -> Detector:
    """The catalogue detector (``domain.instruments.DETECTORS``) that fits the collections best.

    Hard limits first: the image format (``imageSuffix``), the fastest frame rate
    (no ``exposureTime`` below the detector's minimum) and the detector travel
    (``detectorDistance``). Among the detectors left (all of the format's, if none is
    left; all, if none has the format), the one whose size best reproduces the stored
    ``resolution`` and ``resolutionAtCorner`` from ``wavelength``, ``detectorDistance`` and
    the beam centre ``xBeam``/``yBeam`` (Bragg's law at the nearest edge and the farthest
    corner; least squares). Ties go to the first name in alphabetical order. A beamline
    without collections gets the catalogue's first detector.
    """
    catalogue = [DETECTORS[key] for key in sorted(DETECTORS)]
    if not collections:
        return catalogue[0]
    formats = {c.imageSuffix for c in collections}
    same_format = [d for d in catalogue if d.image_format in formats] or catalogue
    fastest = min(c.exposureTime for c in collections)
    plausible = [
        d
        for d in same_format
        if d.min_exposure_s <= fastest + 1e-9
        and all(
            d.distance_min_mm - 0.01 <= c.detectorDistance <= d.distance_max_mm + 0.01
            for c in collections
        )
    ] or same_format
    return min(plausible, key=lambda detector: _misfit(detector, collections))


def _misfit(detector: Detector, collections: Sequence[m.DataCollection]) -> float:
    total = 0.0
    for c in collections:
        edge = edge_radius(detector, c.xBeam, c.yBeam)
        corner = corner_radius(detector, c.xBeam, c.yBeam)
        if edge <= 0:  # the beam centre is off this detector
            return math.inf
        total += (bragg_resolution(c.wavelength, c.detectorDistance, edge) - c.resolution) ** 2
        total += (
            bragg_resolution(c.wavelength, c.detectorDistance, corner) - c.resolutionAtCorner
        ) ** 2
    return total


def detector_model(detector: Detector) -> m.Detector:
    return m.Detector(
        detectorManufacturer=detector.manufacturer,
        detectorModel=detector.model,
        detectorType=detector.detector_type,
        detectorPixelSizeHorizontal=detector.pixel_size_mm,
        detectorPixelSizeVertical=detector.pixel_size_mm,
        numberOfPixelsX=detector.pixels_x,
        numberOfPixelsY=detector.pixels_y,
        detectorDistanceMin=detector.distance_min_mm,
        detectorDistanceMax=detector.distance_max_mm,
        imageFormat="cbf" if detector.image_format == "cbf" else "h5",
    )


def infer_sample_changer(containers: Sequence[m.Container]) -> SampleChanger:
    """The roomiest catalogue changer that takes every puck type and slot seen on the beamline.

    ISPyB's API does not say which changer a beamline has; the pucks loaded into it
    (``containerType``, ``sampleChangerLocation``) only bound it. Ties go to the name.
    """
    kinds = {c.containerType for c in containers}
    locations = (c.sampleChangerLocation or "" for c in containers)
    highest = max((int(slot) for slot in locations if slot.isdigit()), default=0)
    changers = sorted(SAMPLE_CHANGERS.values(), key=lambda c: (-c.puck_slots, c.name))
    fitting = [c for c in changers if kinds <= set(c.puck_types) and c.puck_slots >= highest]
    accepting = [c for c in changers if kinds <= set(c.puck_types)]
    return (fitting or accepting or changers)[0]


def energy_range(collections: Sequence[m.DataCollection]) -> tuple[float, float]:
    """keV: the energies used, widened by :data:`ENERGY_MARGIN_KEV` to whole keV.

    Without collections: 5-25 keV, a typical MX beamline's range.
    """
    if not collections:
        return 5.0, 25.0
    energies = [c.energy for c in collections]
    return float(math.floor(min(energies) - ENERGY_MARGIN_KEV)), float(
        math.ceil(max(energies) + ENERGY_MARGIN_KEV)
    )


def puck_capacity(container_type: str, stored: int | None) -> int | None:
    """ISPyB's ``capacity``, or the puck type's standard one when the column is empty."""
    return stored if stored is not None else PUCK_CAPACITY.get(container_type)
