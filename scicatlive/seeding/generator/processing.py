"""Auto-processing after a successful collection: pipelines, refined cell, shell statistics, logs."""

from __future__ import annotations

import math

from scicatlive.domain import model as m
from scicatlive.seeding.generator.state import GeneratorState, slug, whole_seconds
from scicatlive.seeding.providers.crystals import UnitCell, jittered_cell, space_group
from scicatlive.seeding.providers.statistics import ShellStatistics, scaling_statistics

# XDS ISa (the I/σ(I) of an infinitely strong reflection, Diederichs 2010): 20-40 on a
# well-aligned beamline with a photon-counting detector, lower for a poor crystal or setup.
ISA_RANGE = (12.0, 40.0)
PROCESSING_FAILURES = (
    "Indexing failed: no consistent lattice found",
    "Integration failed: too few strong spots",
    "Scaling failed: completeness below 50 %",
    "No solution in the expected space group",
)
COMMAND_LINES = {
    "xia2 dials": "xia2 pipeline=dials image={image}",
    "xia2 3dii": "xia2 pipeline=3dii image={image}",
    "fast_dp": "fast_dp {image}",
    "autoPROC": "process -h5 {image} -d {output}",
    "EDNA_proc": "EDNA_proc --data_collection_id {run} --image {image}",
    "grenades_fastproc": "grenades_fastproc {image}",
}


def programs(
    g: GeneratorState,
    sample_name: str,
    experiment: str,
    diffraction_limit: float,
    collection: m.DataCollection,
    crystal: m.Crystal,
) -> list[m.AutoProcProgram]:
    wanted = g.recipe.processing.per_collection
    count = g.rng.randint(wanted.min, wanted.max)
    chosen = g.rng.sample(g.recipe.processing.programs, count)
    isa = g.later.uniform(*ISA_RANGE)  # the setup's, so every XDS run of these images agrees
    return [
        program(g, sample_name, experiment, diffraction_limit, collection, crystal, name, isa)
        for name in chosen
    ]


def runs_xds_correct(program_name: str) -> bool:
    """ISa comes from XDS's CORRECT step: every pipeline but the DIALS-integrated ones runs it."""
    return "dials" not in program_name.lower()


def reported_isa(g: GeneratorState, setup: float) -> str:
    """XDS's ISa as one run prints it: the setup's value within a few percent."""
    return f"{setup * g.later.uniform(0.97, 1.03):.2f}"


def program(
    g: GeneratorState,
    sample_name: str,
    experiment: str,
    diffraction_limit: float,
    collection: m.DataCollection,
    crystal: m.Crystal,
    name: str,
    isa: float,
) -> m.AutoProcProgram:
    started = collection.endTime + whole_seconds(g.rng.uniform(30, 300))
    ended = started + whole_seconds(g.rng.uniform(180, 1800))
    short = slug(name)
    output = (
        collection.imageDirectory.replace("/raw/", "/process/", 1)
        + f"{sample_name}_{collection.dataCollectionNumber}/{short}/"
    )
    image = collection.imageDirectory + collection.fileTemplate
    command = COMMAND_LINES.get(name, name + " {image}").format(
        image=image, output=output, run=collection.dataCollectionNumber
    )[:255]
    failed = g.rng.random() < g.recipe.processing.failure_rate
    integration = m.AutoProcIntegration(startImageNumber=1, endImageNumber=collection.numberOfImages)
    if failed:
        message = g.rng.choice(PROCESSING_FAILURES)
        log = log_attachment(g, output, short, name, [f"ERROR: {message}"])
        return m.AutoProcProgram(
            processingPrograms=name, processingCommandLine=command, processingStatus="FAILED",
            processingMessage=message, processingStartTime=started, processingEndTime=ended,
            AutoProc=None, AutoProcIntegration=integration, AutoProcScalingStatistics=[],
            attachments=[log],
        )  # fmt: skip
    group = space_group(crystal.spaceGroup)
    cell = jittered_cell(g.rng, cell_of(crystal), group, spread=0.002)
    anomalous = experiment == "SAD"
    high = max(collection.resolutionAtCorner, diffraction_limit * g.rng.uniform(0.97, 1.08))
    statistics = scaling_statistics(
        g.rng, group, cell, math.ceil(high * 100) / 100,
        collection.axisEnd - collection.axisStart, anomalous, isa, later=g.later,
    )  # fmt: skip
    reported = reported_isa(g, isa) if runs_xds_correct(name) else None
    shells = [
        shell_model(shell, anomalous, reported if shell.shell == "overall" else None)
        for shell in statistics.shells()
    ]
    summary = summary_lines(group.symbol, cell, statistics.shells())
    run = f"{sample_name}_{collection.dataCollectionNumber}"
    return m.AutoProcProgram(
        processingPrograms=name,
        processingCommandLine=command,
        processingStatus="SUCCESS",
        processingMessage="processing successful",
        processingStartTime=started,
        processingEndTime=ended,
        AutoProc=m.AutoProc(
            spaceGroup=group.symbol,
            refinedCell_a=cell.a, refinedCell_b=cell.b, refinedCell_c=cell.c,
            refinedCell_alpha=cell.alpha, refinedCell_beta=cell.beta, refinedCell_gamma=cell.gamma,
        ),
        AutoProcIntegration=integration.model_copy(
            update={
                "refinedDetectorDistance": round(
                    collection.detectorDistance + g.rng.uniform(-0.5, 0.5), 2
                ),
                "refinedXBeam": round(collection.xBeam + g.rng.uniform(-0.05, 0.05), 3),
                "refinedYBeam": round(collection.yBeam + g.rng.uniform(-0.05, 0.05), 3),
                "cell_a": cell.a, "cell_b": cell.b, "cell_c": cell.c,
                "cell_alpha": cell.alpha, "cell_beta": cell.beta, "cell_gamma": cell.gamma,
                "anomalous": anomalous,
            }
        ),
        AutoProcScalingStatistics=shells,
        attachments=[
            log_attachment(g, output, short, name, summary),
            m.AutoProcProgramAttachment(
                fileType="Result", fileName=f"{run}_free.mtz", filePath=output,
                fileSize=g.rng.randint(2_000_000, 60_000_000),
            ),
            m.AutoProcProgramAttachment(
                fileType="Result", fileName=f"{run}_unmerged.mtz", filePath=output,
                fileSize=g.rng.randint(20_000_000, 400_000_000),
            ),
        ],
    )


def log_attachment(
    g: GeneratorState, output: str, short: str, name: str, lines: list[str]
) -> m.AutoProcProgramAttachment:
    content = "\n".join([f"{name} processing log (summary)", *lines]) + "\n"
    return m.AutoProcProgramAttachment(
        fileType="Log",
        fileName=f"{short}.log",
        filePath=output,
        fileSize=g.rng.randint(40_000, 2_000_000),
        content=content,
    )


def cell_of(crystal: m.Crystal) -> UnitCell:
    return UnitCell(
        crystal.cell_a, crystal.cell_b, crystal.cell_c,
        crystal.cell_alpha, crystal.cell_beta, crystal.cell_gamma,
    )  # fmt: skip


def shell_model(
    shell: ShellStatistics, anomalous: bool, isa: str | None
) -> m.AutoProcScalingStatistics:
    """ISPyB keeps SigAno and ISa as text (varchar); XDS reports one ISa per data set, kept in
    the overall shell."""
    return m.AutoProcScalingStatistics(
        scalingStatisticsType=shell.shell,  # type: ignore[arg-type]
        resolutionLimitLow=shell.resolution_limit_low,
        resolutionLimitHigh=shell.resolution_limit_high,
        rMerge=shell.r_merge,
        rMeasAllIPlusIMinus=shell.r_meas,
        rPimAllIPlusIMinus=shell.r_pim,
        meanIOverSigI=shell.mean_i_over_sig_i,
        completeness=shell.completeness,
        multiplicity=shell.multiplicity,
        anomalousCompleteness=shell.anomalous_completeness,
        anomalousMultiplicity=shell.anomalous_multiplicity,
        ccHalf=shell.cc_half,
        ccAno=shell.cc_anomalous,
        sigAno=f"{shell.sig_ano:.3f}",
        isa=isa,
        nTotalObservations=shell.n_total_observations,
        nTotalUniqueObservations=shell.n_unique_observations,
        anomalous=anomalous,
    )


def summary_lines(symbol: str, cell: UnitCell, shells: tuple[ShellStatistics, ...]) -> list[str]:
    edges = f"{cell.a} {cell.b} {cell.c} {cell.alpha} {cell.beta} {cell.gamma}"
    lines = [
        f"Space group: {symbol}",
        f"Unit cell: {edges}",
        "",
        "shell        d_low  d_high  Rmerge  I/sig  CC1/2  compl",
    ]
    lines += [
        f"{s.shell:<12} {s.resolution_limit_low:6.2f} {s.resolution_limit_high:6.2f} "
        f"{s.r_merge:7.3f} {s.mean_i_over_sig_i:6.1f} {s.cc_half:6.3f} {s.completeness:6.1f}"
        for s in shells
    ]
    return lines
