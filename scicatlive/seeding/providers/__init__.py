"""Faker providers for macromolecular crystallography, usable on their own.

    from faker import Faker
    from scicatlive.seeding.providers import PROVIDERS

    fake = Faker()
    for provider in PROVIDERS:
        fake.add_provider(provider)
    fake.seed_instance(7)
    fake.protein().acronym, fake.sohncke_space_group().symbol, fake.mx_detector().model

Every method draws from ``fake.random``, so a seeded Faker gives the same values.
"""

from __future__ import annotations

from faker import Faker
from faker.providers import BaseProvider

from scicatlive.domain.diffraction import (
    HC_KEV_ANGSTROM,
    bragg_resolution,
    corner_radius,
    edge_radius,
    energy_from_wavelength,
    wavelength_from_energy,
)
from scicatlive.domain.instruments import (
    DETECTORS,
    PUCK_CAPACITY,
    SAMPLE_CHANGERS,
    Detector,
    SampleChanger,
)
from scicatlive.seeding.providers.beamlines import BeamlineProvider, BeamlineSpec
from scicatlive.seeding.providers.collections import (
    CollectionGeometry,
    DataCollectionProvider,
    ImageFile,
    RotationSweep,
)
from scicatlive.seeding.providers.crystals import (
    SOHNCKE_GROUPS,
    CrystalProvider,
    CrystalSystem,
    SpaceGroup,
    UnitCell,
    obeys_system,
    space_group,
)
from scicatlive.seeding.providers.proteins import (
    CrystalForm,
    ProteinProvider,
    ProteinSpec,
    molecular_mass_kda,
)
from scicatlive.seeding.providers.statistics import (
    ScalingStatistics,
    ScalingStatisticsProvider,
    ShellStatistics,
)

PROVIDERS: tuple[type[BaseProvider], ...] = (
    CrystalProvider,
    ProteinProvider,
    BeamlineProvider,
    DataCollectionProvider,
    ScalingStatisticsProvider,
)


def mx_faker(seed: int, locale: str = "en_US") -> Faker:
    """A Faker with every MX provider added, seeded for reproducible output."""
    fake = Faker(locale)
    for provider in PROVIDERS:
        fake.add_provider(provider)
    fake.seed_instance(seed)
    return fake


__all__ = [
    "DETECTORS",
    "HC_KEV_ANGSTROM",
    "PROVIDERS",
    "PUCK_CAPACITY",
    "SAMPLE_CHANGERS",
    "SOHNCKE_GROUPS",
    "BeamlineProvider",
    "BeamlineSpec",
    "CollectionGeometry",
    "CrystalForm",
    "CrystalProvider",
    "CrystalSystem",
    "DataCollectionProvider",
    "Detector",
    "ImageFile",
    "ProteinProvider",
    "ProteinSpec",
    "RotationSweep",
    "SampleChanger",
    "ScalingStatistics",
    "ScalingStatisticsProvider",
    "ShellStatistics",
    "SpaceGroup",
    "UnitCell",
    "bragg_resolution",
    "corner_radius",
    "edge_radius",
    "energy_from_wavelength",
    "molecular_mass_kda",
    "mx_faker",
    "obeys_system",
    "space_group",
    "wavelength_from_energy",
]
