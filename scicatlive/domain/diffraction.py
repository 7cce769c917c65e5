"""Diffraction geometry: energy and wavelength, and the resolution a detector records.

* λ[Å] = hc / E = 12.398 / E[keV].
* A point at radius ``r`` from the beam on a flat detector at distance ``D`` sees
  2θ = atan(r / D), so d = λ / (2 sin θ) (Bragg). ISPyB's ``resolution`` is that d
  at the nearest edge, ``resolutionAtCorner`` at the farthest corner.
"""

from __future__ import annotations

import math

from scicatlive.domain.instruments import Detector

HC_KEV_ANGSTROM = 12.398419843320026  # h·c in keV·Å (CODATA 2018)
SELENIUM_K_EDGE_KEV = 12.6578
IMAGES_PER_DATA_FILE = 1000


def wavelength_from_energy(energy_kev: float) -> float:
    return HC_KEV_ANGSTROM / energy_kev


def energy_from_wavelength(wavelength: float) -> float:
    return HC_KEV_ANGSTROM / wavelength


def bragg_resolution(wavelength: float, distance_mm: float, radius_mm: float) -> float:
    """d-spacing (Å) recorded at ``radius_mm`` from the beam on a detector ``distance_mm`` away."""
    two_theta = math.atan2(radius_mm, distance_mm)
    return wavelength / (2.0 * math.sin(two_theta / 2.0))


def distance_for_resolution(resolution: float, wavelength: float, radius_mm: float) -> float:
    """The detector distance that puts ``resolution`` at ``radius_mm`` from the beam."""
    ratio = wavelength / (2.0 * resolution)
    if not 0.0 < ratio < 1.0:
        raise ValueError(f"{resolution} Å cannot be reached with λ = {wavelength} Å")
    return radius_mm / math.tan(2.0 * math.asin(ratio))


def edge_radius(detector: Detector, x_beam: float, y_beam: float) -> float:
    return min(x_beam, detector.width_mm - x_beam, y_beam, detector.height_mm - y_beam)


def corner_radius(detector: Detector, x_beam: float, y_beam: float) -> float:
    return max(
        math.hypot(dx, dy)
        for dx in (x_beam, detector.width_mm - x_beam)
        for dy in (y_beam, detector.height_mm - y_beam)
    )
