"""A simulated day's values, from the seed's own generator and Faker providers.

Each collection is made by ``seeding.generator.collections.data_collection`` for the sample
in the robot's hand and the beamline's detector: the detector distance is placed for
the crystal's diffraction limit, the resolution at edge and corner follows from Bragg's
law, the sweep from the detector's frame rate — the same physics as a seeded facility.
Its processing runs come from the same generator (statistics consistent with the
crystal's cell and the sweep). The day's clock is the wall clock: a sweep ends now and
started its duration ago. Then the values are spelled as MXCuBE's driver takes them.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from scicatlive.domain import model as m
from scicatlive.domain.diffraction import SELENIUM_K_EDGE_KEV
from scicatlive.seeding.generator.collections import (
    TOTAL_ROTATION,
    SampleContext,
    data_collection,
    image_directory,
)
from scicatlive.seeding.generator.state import GeneratorState, SessionPlan
from scicatlive.seeding.recipe import Recipe
from scicatlive.simulate.beamline import BeamlineDay, LoadedSample

# MXCuBE's time format (the driver's ``plan.MXCUBE_TIME``), in UTC as ISPyB keeps it.
MXCUBE_TIME = "%Y-%m-%d %H:%M:%S"
# A mini-kappa collection rotates about omega: ISPyB then records omegaStart (with kappa 0,
# MXCuBE's rotation axis is phi and omegaStart stays empty, which the sync graph needs).
KAPPA_ANGLES = (5.0, 10.0, 15.0, 20.0, 30.0)
UNDULATOR = "IVU18"


def utc_now() -> datetime:
    """ISPyB's times: naive UTC, whole seconds."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


class DayValues:
    """Draws every value of one day from one seeded random stream."""

    def __init__(self, recipe: Recipe, day: BeamlineDay, seed: int) -> None:
        self.day = day
        self.g = GeneratorState.for_recipe(recipe.model_copy(update={"seed": seed}))
        now = utc_now()
        self.session = SessionPlan(visit_number=0, beamline=day.beamline, start=now, operator="", persons=[], clock=now)

    @property
    def rng(self) -> random.Random:
        return self.g.rng

    def experiment(self, sample: LoadedSample) -> str:
        if sample.experiment in TOTAL_ROTATION:
            return str(sample.experiment)
        weights = self.g.recipe.collections.experiment_types
        kinds = sorted(weights)
        return str(self.rng.choices(kinds, weights=[weights[k] for k in kinds])[0])

    def context(self, sample: LoadedSample, experiment: str) -> SampleContext:
        return SampleContext(
            proposal=self.day.proposal, session=self.session, acronym=sample.acronym, name=sample.name,
            pin_code=sample.code, container_barcode=sample.container_barcode, position=sample.position,
            slot=sample.puck_slot, space_group=sample.crystal.spaceGroup,
            diffraction_limit=sample.diffraction_limit, experiment=experiment,
        )  # fmt: skip

    def directory(self, sample: LoadedSample, experiment: str) -> str:
        return image_directory(self.g, self.context(sample, experiment), utc_now())

    def collection(self, sample: LoadedSample, experiment: str, run: int) -> m.DataCollection:
        """A sweep that has just ended, with its processing runs (none when it failed)."""
        now = utc_now()
        self.session.clock = now
        made = data_collection(self.g, self.context(sample, experiment), run, sample.crystal)
        return made.model_copy(update={"startTime": now - (made.endTime - made.startTime), "endTime": now})

    def driver_collection(self, sample: LoadedSample, collection: m.DataCollection, session_id: int,
                          experiment: str) -> dict[str, Any]:  # fmt: skip
        """The driver's ``Collection`` parameters (``mxcube_driver.plan.Collection``)."""
        crystal = sample.crystal
        return {
            "session_id": session_id, "sample_id": sample.sample_id, "sample_name": sample.name,
            "acronym": sample.acronym, "directory": collection.imageDirectory, "prefix": collection.imagePrefix,
            "template": collection.fileTemplate, "run_number": collection.dataCollectionNumber,
            "suffix": collection.imageSuffix,
            "process_directory": collection.imageDirectory.replace("/raw/", "/process/", 1),
            "puck_slot": sample.puck_slot, "position": sample.position, "experiment_type": experiment,
            "space_group": crystal.spaceGroup,
            "cell": ",".join(str(v) for v in (crystal.cell_a, crystal.cell_b, crystal.cell_c,
                                              crystal.cell_alpha, crystal.cell_beta, crystal.cell_gamma)),
            "osc_start": collection.axisStart, "osc_range": collection.axisRange, "offset": 0.0,
            "images": collection.numberOfImages, "first_image": collection.startImageNumber,
            "passes": collection.numberOfPasses, "exposure_time": collection.exposureTime,
            "kappa": self.rng.choice(KAPPA_ANGLES), "phi": collection.phiStart,
            "wavelength": collection.wavelength, "resolution": collection.resolution,
            "resolution_at_corner": collection.resolutionAtCorner, "detector_distance": collection.detectorDistance,
            "transmission": collection.transmission, "flux": collection.flux,
            "beam_x": collection.xBeam, "beam_y": collection.yBeam,
            "beam_size_x": collection.beamSizeAtSampleX, "beam_size_y": collection.beamSizeAtSampleY,
            "beam_shape": collection.beamShape, "synchrotron_mode": collection.synchrotronMode,
            "start": collection.startTime.strftime(MXCUBE_TIME), "status": collection.runStatus,
            "snapshots": [f"{collection.imageDirectory.replace('/raw/', '/snapshots/', 1)}{sample.name}_{collection.dataCollectionNumber}_1.png"],
            "centring_position": f"phi={collection.axisStart:.2f} phiy={self.rng.uniform(-0.5, 0.5):.3f} "
                                 f"phiz={self.rng.uniform(-0.5, 0.5):.3f}",
            "slit_gap_horizontal": collection.slitGapHorizontal, "slit_gap_vertical": collection.slitGapVertical,
            "undulator_gaps": [collection.undulatorGap1],
            "comments": f"{experiment} on {sample.name} (simulated by scicatlive)",
        }  # fmt: skip

    def energy_scan(self, sample: LoadedSample, session_id: int) -> dict[str, Any]:
        """A Se K-edge scan (keV, as mxcubecore stores them) just before a SAD collection."""
        edge = SELENIUM_K_EDGE_KEV + self.rng.uniform(-0.0015, 0.0015)
        ended = utc_now()
        return {
            "session_id": session_id, "sample_id": sample.sample_id, "element": "Se", "edge": "K",
            "start_energy": round(edge - 0.05, 4), "end_energy": round(edge + 0.05, 4),
            "edge_energy": round(edge, 4), "peak_energy": round(edge + self.rng.uniform(0.001, 0.003), 4),
            "inflection_energy": round(edge - self.rng.uniform(0.0, 0.001), 4),
            "remote_energy": round(edge + self.rng.choice((0.3, 0.5, 1.0)), 4),
            "peak_f_prime": round(self.rng.uniform(-9.0, -6.5), 2), "peak_f_double_prime": round(self.rng.uniform(4.0, 6.0), 2),
            "inflection_f_prime": round(self.rng.uniform(-11.0, -9.0), 2),
            "inflection_f_double_prime": round(self.rng.uniform(2.5, 4.0), 2),
            "exposure_time": 0.1, "transmission": round(self.rng.uniform(1.0, 20.0), 1),
            "start": (ended - timedelta(seconds=self.rng.randint(60, 180))).strftime(MXCUBE_TIME),
            "end": ended.strftime(MXCUBE_TIME),
        }  # fmt: skip

    def processing_delay(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)


def processing_body(program: m.AutoProcProgram, dc_id: int, started: datetime, ended: datetime) -> dict[str, Any]:
    """The ISPyB mock's ``POST /processings/auto-integrations`` body of a finished run."""
    body: dict[str, Any] = program.model_dump(mode="json", exclude={"attachments": {"__all__": {"fileSize", "content"}}})
    body |= {"dataCollectionId": dc_id, "processingStartTime": started.isoformat(), "processingEndTime": ended.isoformat()}
    return body
