"""MX instruments as facts: detectors, sample changers and puck capacities.

Detector geometry is the manufacturer's (pixel count and size); the sample
changer capacities are the ones ISPyB and MXCuBE know (puck slots in the robot
dewar, and which puck types fit).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Detector:
    model: str
    manufacturer: str
    detector_type: str
    pixels_x: int
    pixels_y: int
    pixel_size_mm: float
    distance_min_mm: float
    distance_max_mm: float
    min_exposure_s: float  # 1 / maximum frame rate
    image_format: str  # "h5" (master + data files) or "cbf" (one file per image)

    @property
    def width_mm(self) -> float:
        return self.pixels_x * self.pixel_size_mm

    @property
    def height_mm(self) -> float:
        return self.pixels_y * self.pixel_size_mm


@dataclass(frozen=True)
class SampleChanger:
    name: str
    puck_slots: int
    puck_types: tuple[str, ...]


DETECTORS: dict[str, Detector] = {
    d.model: d
    for d in (
        Detector(
            "Eiger 16M", "DECTRIS", "Photon counting", 4150, 4371, 0.075, 120.0, 800.0, 0.0075, "h5"
        ),
        Detector(
            "Eiger2 X 16M",
            "DECTRIS",
            "Photon counting",
            4148,
            4362,
            0.075,
            100.0,
            900.0,
            0.002,
            "h5",
        ),
        Detector(
            "Eiger 9M", "DECTRIS", "Photon counting", 3110, 3269, 0.075, 100.0, 800.0, 0.004, "h5"
        ),
        Detector(
            "Eiger 4M", "DECTRIS", "Photon counting", 2070, 2167, 0.075, 80.0, 600.0, 0.001, "h5"
        ),
        Detector(
            "Pilatus 6M",
            "DECTRIS",
            "Photon counting",
            2463,
            2527,
            0.172,
            120.0,
            1000.0,
            0.04,
            "cbf",
        ),
        Detector(
            "Pilatus 2M",
            "DECTRIS",
            "Photon counting",
            1475,
            1679,
            0.172,
            100.0,
            800.0,
            0.004,
            "cbf",
        ),
    )
}

SAMPLE_CHANGERS: dict[str, SampleChanger] = {
    c.name: c
    for c in (
        SampleChanger("ISARA", 29, ("Unipuck",)),  # MAX IV BioMAX: one dewar, 29 Unipuck slots
        SampleChanger("FlexHCD", 24, ("Unipuck", "Spinepuck")),  # ESRF: 8 cells x 3 pucks
        SampleChanger("CATS", 9, ("Unipuck", "Spinepuck")),  # 3 lids x 3 pucks
        SampleChanger("P11SC", 23, ("Unipuck",)),  # DESY P11
        SampleChanger("SC3", 5, ("Spinepuck",)),  # legacy ESRF changer: 5 baskets
    )
}

# Samples per container type (Java ISPyB's UNIPUCK/SPINE_SAMPLE_CAPACITY).
PUCK_CAPACITY: dict[str, int] = {"Unipuck": 16, "Spinepuck": 10}
