"""Faker provider for MX beamlines: a detector, a sample changer and an energy range."""

from __future__ import annotations

from dataclasses import dataclass

from faker.providers import BaseProvider

from scicatlive.domain.instruments import DETECTORS, SAMPLE_CHANGERS, Detector, SampleChanger

__all__ = ["BeamlineProvider", "BeamlineSpec"]


@dataclass(frozen=True)
class BeamlineSpec:
    name: str
    detector: Detector
    sample_changer: SampleChanger
    energy_min_kev: float
    energy_max_kev: float


class BeamlineProvider(BaseProvider):
    """Faker provider: ``fake.mx_detector()``, ``fake.sample_changer()``, ``fake.mx_beamline()``."""

    def mx_detector(self) -> Detector:
        return DETECTORS[self.generator.random.choice(sorted(DETECTORS))]

    def sample_changer(self) -> SampleChanger:
        return SAMPLE_CHANGERS[self.generator.random.choice(sorted(SAMPLE_CHANGERS))]

    def mx_beamline(self, name: str | None = None) -> BeamlineSpec:
        rng = self.generator.random
        low = rng.choice((5.0, 6.0, 7.0))
        high = rng.choice((17.5, 20.0, 25.0))
        return BeamlineSpec(
            name=name or f"BL{rng.randint(1, 20)}.{rng.randint(1, 3)}",
            detector=self.mx_detector(),
            sample_changer=self.sample_changer(),
            energy_min_kev=low,
            energy_max_kev=high,
        )
