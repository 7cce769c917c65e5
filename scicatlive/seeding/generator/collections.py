"""Data collections: a rotation sweep on a mounted crystal, with the geometry of its beamline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scicatlive.domain import model as m
from scicatlive.domain.diffraction import SELENIUM_K_EDGE_KEV
from scicatlive.seeding.generator.processing import programs
from scicatlive.seeding.generator.state import GeneratorState, SessionPlan, whole_seconds
from scicatlive.seeding.providers.beamlines import BeamlineSpec
from scicatlive.seeding.providers.collections import (
    collection_geometry,
    file_template,
    image_files,
    interrupted,
    rotation_sweep,
)
from scicatlive.seeding.recipe import HELICAL_WORKFLOWS

RUN_SUCCEEDED = "Data collection successful"
RUN_FAILED = "Data collection failed!"
TOTAL_ROTATION = {"OSC": (90.0, 180.0, 180.0, 360.0), "SAD": (360.0,), "Helical": (180.0, 360.0)}
BEAM_SIZES_MM = ((0.05, 0.05), (0.02, 0.02), (0.1, 0.05), (0.03, 0.02))
# Workflow.workflowTitle as MXCuBE's workflow menu names them (mxcubecore's ednaparams.xml).
WORKFLOW_TITLES = {
    "MXPressE": "MXPressE", "MXPressO": "MXPressO", "MXPressA": "MXPressA",
    "XrayCentering": "X-ray Centring", "HelicalCharacterisation": "Helical characterisation",
}  # fmt: skip


@dataclass(frozen=True)
class SampleContext:
    """A crystal mounted for collection: where it sits and what it is expected to give."""

    proposal: str
    session: SessionPlan
    acronym: str
    name: str
    pin_code: str
    container_barcode: str
    position: int
    slot: int
    space_group: str
    diffraction_limit: float
    experiment: str


def collection_group(g: GeneratorState, sample: SampleContext, run: int, crystal: m.Crystal) -> m.DataCollectionGroup:
    collection = data_collection(g, sample, run, crystal)
    return m.DataCollectionGroup(
        session=sample.session.visit_number,
        experimentType=sample.experiment,  # type: ignore[arg-type]
        Workflow=workflow(g, sample.experiment, collection.succeeded),
        startTime=collection.startTime,
        endTime=collection.endTime,
        actualSampleBarcode=sample.pin_code,
        actualSampleSlotInContainer=sample.position,
        actualContainerBarcode=sample.container_barcode,
        actualContainerSlotInSC=sample.slot,
        dataCollections=[collection],
    )


def workflow(g: GeneratorState, experiment: str, succeeded: bool) -> m.Workflow | None:
    """The workflow that collected the group, drawn by the recipe's shares; None: by hand.

    ISPyB's workflow status is "Success" or "Failure" (Java ISPyB's workflow reports).
    """
    helical = experiment == "Helical"
    shares = [
        (name, share)
        for name, share in g.recipe.collections.workflows.items()
        if (name in HELICAL_WORKFLOWS) == helical and share > 0
    ]
    if not shares:
        return None
    draw, upto = g.later.random(), 0.0
    for name, share in shares:
        upto += share
        if draw < upto:
            return m.Workflow(
                workflowTitle=WORKFLOW_TITLES[name],
                workflowType=name,
                status="Success" if succeeded else "Failure",
            )
    return None


def energy(g: GeneratorState, beamline: BeamlineSpec, experiment: str) -> float:
    low, high = beamline.energy_min_kev, beamline.energy_max_kev
    if experiment == "SAD" and low <= SELENIUM_K_EDGE_KEV <= high:
        return SELENIUM_K_EDGE_KEV
    return round(g.rng.uniform(max(low, min(10.0, high)), min(high, max(14.0, low))), 3)


def data_collection(g: GeneratorState, sample: SampleContext, run: int, crystal: m.Crystal) -> m.DataCollection:
    session, beamline = sample.session, sample.session.beamline
    detector = beamline.detector
    geometry = collection_geometry(
        g.rng, detector, energy(g, beamline, sample.experiment), sample.diffraction_limit
    )
    sweep = rotation_sweep(g.rng, detector, g.rng.choice(TOTAL_ROTATION[sample.experiment]))
    failed = g.rng.random() < g.recipe.collections.failure_rate
    if failed:
        sweep = interrupted(sweep, g.rng.uniform(0.05, 0.9))
    start = session.clock
    end = start + whole_seconds(sweep.duration_s + g.rng.uniform(2, 10))
    session.clock = end + whole_seconds(g.rng.uniform(20, 90))
    directory = image_directory(g, sample, start)
    files = image_files(g.rng, detector, sample.name, run, sweep)
    transmission = round(g.rng.uniform(5.0, 100.0), 1)
    beam_x, beam_y = g.rng.choice(BEAM_SIZES_MM)
    collection = m.DataCollection(
        imageDirectory=directory,
        imagePrefix=sample.name,
        dataCollectionNumber=run,
        startTime=start,
        endTime=end,
        runStatus=RUN_FAILED if failed else RUN_SUCCEEDED,
        axisStart=sweep.axis_start,
        axisEnd=sweep.axis_end,
        axisRange=sweep.oscillation,
        numberOfImages=sweep.number_of_images,
        exposureTime=sweep.exposure_time,
        imageSuffix=detector.image_format,
        fileTemplate=file_template(sample.name, run, detector.image_format),
        imageContainerSubPath="/entry/data/data" if detector.image_format == "h5" else None,
        wavelength=geometry.wavelength,
        resolution=geometry.resolution,
        resolutionAtCorner=geometry.resolution_at_corner,
        detectorDistance=geometry.detector_distance,
        xBeam=geometry.x_beam,
        yBeam=geometry.y_beam,
        transmission=transmission,
        flux=float(f"{g.rng.uniform(1e12, 5e12) * transmission / 100:.3e}"),
        beamSizeAtSampleX=beam_x,
        beamSizeAtSampleY=beam_y,
        beamShape="ellipse",
        omegaStart=sweep.axis_start,
        slitGapHorizontal=round(beam_x * 1.2, 4),
        slitGapVertical=round(beam_y * 1.2, 4),
        undulatorGap1=round(g.rng.uniform(5.0, 20.0), 3),
        synchrotronMode="User",
        files=[
            m.ImageFile(
                fileName=f.name, fileSize=f.size, writtenAt=start + whole_seconds(f.written_after_s)
            )
            for f in files
        ],
        published=g.rng.random() < g.recipe.catalogue.published_fraction,
        autoProcPrograms=[],
    )
    if failed:
        return collection
    processed = programs(g, sample.name, sample.experiment, sample.diffraction_limit, collection, crystal)
    return collection.model_copy(update={"autoProcPrograms": processed})


def image_directory(g: GeneratorState, sample: SampleContext, start: datetime) -> str:
    root = g.recipe.facility.data_root.rstrip("/")
    beamline = sample.session.beamline.name.lower()
    number = sample.proposal.removeprefix(g.recipe.facility.proposal_code)
    return f"{root}/{beamline}/{number}/{start:%Y%m%d}/raw/{sample.acronym}/{sample.name}/"
