"""Data collection parameters that obey diffraction geometry, and the files they write.

* Energy and wavelength: λ[Å] = hc / E = 12.398 / E[keV].
* Resolution: Bragg's law at the detector edge. A point at radius ``r`` from
  the beam on a flat detector at distance ``D`` sees 2θ = atan(r / D), so
  d = λ / (2 sin θ). ISPyB's ``resolution`` is that d at the nearest edge,
  ``resolutionAtCorner`` at the farthest corner.
* Sweep: ``numberOfImages`` = total rotation / oscillation per image, and
  ``axisEnd`` = ``axisStart`` + images × oscillation (no overlap).
* Files: an Eiger writes a master file plus one data file per 1,000 images;
  a Pilatus writes one CBF per image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from random import Random

from faker.providers import BaseProvider

from scicatlive.domain.diffraction import (
    IMAGES_PER_DATA_FILE,
    bragg_resolution,
    corner_radius,
    distance_for_resolution,
    edge_radius,
    energy_from_wavelength,
    wavelength_from_energy,
)
from scicatlive.domain.instruments import Detector


@dataclass(frozen=True)
class CollectionGeometry:
    energy_kev: float
    wavelength: float  # Å
    detector_distance: float  # mm
    x_beam: float  # mm, from the detector origin
    y_beam: float
    resolution: float  # Å at the nearest detector edge
    resolution_at_corner: float  # Å at the farthest corner


def collection_geometry(
    rng: Random, detector: Detector, energy_kev: float, target_resolution: float
) -> CollectionGeometry:
    """Place the detector so that ``target_resolution`` falls at its edge, within its travel."""
    wavelength = round(wavelength_from_energy(energy_kev), 6)
    x_beam = round(detector.width_mm / 2 + rng.uniform(-1.5, 1.5), 3)
    y_beam = round(detector.height_mm / 2 + rng.uniform(-1.5, 1.5), 3)
    radius = edge_radius(detector, x_beam, y_beam)
    reachable = max(target_resolution, wavelength / 2.0 * 1.05)
    wanted = distance_for_resolution(reachable, wavelength, radius)
    distance = round(min(max(wanted, detector.distance_min_mm), detector.distance_max_mm), 2)
    return CollectionGeometry(
        energy_kev=round(energy_from_wavelength(wavelength), 4),
        wavelength=wavelength,
        detector_distance=distance,
        x_beam=x_beam,
        y_beam=y_beam,
        resolution=round(bragg_resolution(wavelength, distance, radius), 3),
        resolution_at_corner=round(
            bragg_resolution(wavelength, distance, corner_radius(detector, x_beam, y_beam)), 3
        ),
    )


@dataclass(frozen=True)
class RotationSweep:
    axis_start: float  # degrees
    oscillation: float  # degrees per image (ISPyB axisRange)
    number_of_images: int
    exposure_time: float  # seconds per image

    @property
    def total_rotation(self) -> float:
        return round(self.number_of_images * self.oscillation, 4)

    @property
    def axis_end(self) -> float:
        return round(self.axis_start + self.total_rotation, 4)

    @property
    def duration_s(self) -> float:
        return self.number_of_images * self.exposure_time


_OSCILLATIONS = {"h5": (0.05, 0.1, 0.1, 0.2), "cbf": (0.1, 0.2, 0.2, 0.25, 0.5)}
_EXPOSURES = (0.002, 0.005, 0.01, 0.02, 0.04, 0.05, 0.1)


def rotation_sweep(rng: Random, detector: Detector, total_rotation: float) -> RotationSweep:
    """A sweep of ``total_rotation`` degrees in whole images."""
    oscillation = rng.choice(_OSCILLATIONS[detector.image_format])
    exposures = [e for e in _EXPOSURES if e >= detector.min_exposure_s]
    return RotationSweep(
        axis_start=float(rng.choice((0, 0, 45, 90, 120, 180, 270))),
        oscillation=oscillation,
        number_of_images=round(total_rotation / oscillation),
        exposure_time=rng.choice(exposures[:4]),
    )


def interrupted(sweep: RotationSweep, fraction_done: float) -> RotationSweep:
    """The part of a sweep written before it failed: at least one image."""
    images = max(1, int(sweep.number_of_images * fraction_done))
    return RotationSweep(sweep.axis_start, sweep.oscillation, images, sweep.exposure_time)


@dataclass(frozen=True)
class ImageFile:
    name: str
    size: int  # bytes
    written_after_s: float  # seconds after the collection started


def file_template(prefix: str, run: int, image_format: str) -> str:
    """ISPyB ``fileTemplate``: the Eiger master file, or the CBF name pattern."""
    if image_format == "h5":
        return f"{prefix}_{run}_master.h5"
    return f"{prefix}_{run}_####.cbf"


def image_files(
    rng: Random, detector: Detector, prefix: str, run: int, sweep: RotationSweep
) -> list[ImageFile]:
    """The files a collection leaves on disk, with their sizes and write times."""
    compressed_fraction = (
        rng.uniform(0.03, 0.06) if detector.image_format == "h5" else rng.uniform(0.2, 0.3)
    )
    bytes_per_image = detector.pixels_x * detector.pixels_y * 4 * compressed_fraction
    if detector.image_format == "cbf":
        return [
            ImageFile(
                f"{prefix}_{run}_{index:04d}.cbf",
                int(bytes_per_image * rng.uniform(0.97, 1.03)),
                round(index * sweep.exposure_time, 3),
            )
            for index in range(1, sweep.number_of_images + 1)
        ]
    files = [ImageFile(f"{prefix}_{run}_master.h5", rng.randint(1_500_000, 6_000_000), 0.0)]
    data_files = math.ceil(sweep.number_of_images / IMAGES_PER_DATA_FILE)
    for index in range(1, data_files + 1):
        images = min(
            IMAGES_PER_DATA_FILE, sweep.number_of_images - (index - 1) * IMAGES_PER_DATA_FILE
        )
        written = (index - 1) * IMAGES_PER_DATA_FILE + images
        files.append(
            ImageFile(
                f"{prefix}_{run}_data_{index:06d}.h5",
                int(images * bytes_per_image * rng.uniform(0.97, 1.03)),
                round(written * sweep.exposure_time, 3),
            )
        )
    return files


class DataCollectionProvider(BaseProvider):
    """Faker provider: ``fake.collection_geometry(...)``, ``fake.rotation_sweep(...)``, ``fake.image_files(...)``."""

    def collection_geometry(
        self, detector: Detector, energy_kev: float, target_resolution: float
    ) -> CollectionGeometry:
        return collection_geometry(self.generator.random, detector, energy_kev, target_resolution)

    def rotation_sweep(self, detector: Detector, total_rotation: float = 180.0) -> RotationSweep:
        return rotation_sweep(self.generator.random, detector, total_rotation)

    def image_files(
        self, detector: Detector, prefix: str, run: int, sweep: RotationSweep
    ) -> list[ImageFile]:
        return image_files(self.generator.random, detector, prefix, run, sweep)
