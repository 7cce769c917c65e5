"""ISPyB rows → SciCat metadata entries: ``{value, unit}`` per column, with mathjs units.

* ISPyB times are facility-local without a zone; the seed treats them as UTC.
* Units are mathjs spellings (``angstrom``, ``keV``, ``mm``, ``s``, ``deg``...) so the
  backend can add SI values; text and counts have the unit ``""``.
* Metadata keys are ISPyB column names; in sample characteristics they carry their
  table as a prefix (``Crystal_cell_a``, ``Container_barcode``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import UTC, date, datetime

from scicatlive.domain import model as ispyb
from scicatlive.mapping import payloads as sc

STATISTICS_CONVENTION = (
    "rMerge, rMeas, rPim, ccHalf and ccAno are fractions; completeness in percent"
)

UNITS: dict[str, str] = {
    **dict.fromkeys(
        ("wavelength", "resolution", "resolutionAtCorner", "requiredResolution",
         "resolutionLimitLow", "resolutionLimitHigh"),
        "angstrom",
    ),
    **dict.fromkeys(("cell_a", "cell_b", "cell_c"), "angstrom"),
    **dict.fromkeys(("cell_alpha", "cell_beta", "cell_gamma"), "deg"),
    **dict.fromkeys(
        ("axisStart", "axisEnd", "axisRange", "overlap", "omegaStart", "kappaStart", "phiStart"),
        "deg",
    ),
    **dict.fromkeys(("energy", "energyMin", "energyMax"), "keV"),
    **dict.fromkeys(
        ("detectorDistance", "refinedDetectorDistance", "xBeam", "yBeam", "refinedXBeam",
         "refinedYBeam", "beamSizeAtSampleX", "beamSizeAtSampleY", "slitGapHorizontal",
         "slitGapVertical", "undulatorGap1", "holderLength", "detectorPixelSizeHorizontal",
         "detectorPixelSizeVertical", "detectorDistanceMin", "detectorDistanceMax"),
        "mm",
    ),
    **dict.fromkeys(("size_X", "size_Y", "size_Z"), "um"),
    **dict.fromkeys(
        ("transmission", "completeness", "anomalousCompleteness", "requiredCompleteness"), "%"
    ),
    "exposureTime": "s",
    "flux": "s^-1",
    "molecularMass": "kDa",
}


def quantity(name: str, value: sc.MetadataValue | datetime | date) -> sc.Quantity:
    if isinstance(value, datetime):
        return {"value": utc(value).isoformat().replace("+00:00", "Z"), "unit": ""}
    if isinstance(value, date):
        return {"value": value.isoformat(), "unit": ""}
    return {"value": value, "unit": UNITS.get(name, "")}


def quantities(row: dict[str, object], prefix: str = "") -> dict[str, sc.Quantity]:
    """One ``{value, unit}`` per set column; empty columns are left out."""
    return {
        f"{prefix}{name}": quantity(name, value)  # type: ignore[arg-type]
        for name, value in row.items()
        if value is not None and not isinstance(value, (list, dict))
    }


def crystal_characteristics(sample: ispyb.BLSample, protein: ispyb.Protein) -> dict[str, sc.Quantity]:
    return {
        **quantities(
            sample.model_dump(
                include={"name", "code", "location", "loopType", "holderLength", "comments"}
            ),
            "BLSample_",
        ),
        **quantities(sample.Crystal.model_dump(), "Crystal_"),
        **quantities(protein.model_dump(exclude={"externalId"}), "Protein_"),
        **quantities(sample.DiffractionPlan.model_dump(), "DiffractionPlan_"),
    }


def container_characteristics(container: ispyb.Container) -> dict[str, sc.Quantity]:
    return quantities(container.model_dump(exclude={"samples"}), "Container_")


def dewar_characteristics(dewar: ispyb.Dewar) -> dict[str, sc.Quantity]:
    return quantities(dewar.model_dump(exclude={"containers"}), "Dewar_")


def shipping_characteristics(shipping: ispyb.Shipping) -> dict[str, sc.Quantity]:
    return quantities(shipping.model_dump(exclude={"dewars", "sessions"}), "Shipping_")


def processing_metadata(program: ispyb.AutoProcProgram) -> dict[str, sc.Quantity | sc.ShellTable]:
    metadata: dict[str, sc.Quantity | sc.ShellTable] = {
        **quantities(
            program.model_dump(
                include={"processingPrograms", "processingStatus", "processingMessage",
                         "processingStartTime", "processingEndTime"}
            )
        ),
        **quantities(
            program.AutoProcIntegration.model_dump(
                exclude={"cell_a", "cell_b", "cell_c", "cell_alpha", "cell_beta", "cell_gamma"}
            )
        ),
    }
    if program.AutoProc is not None:
        metadata["spaceGroup"] = quantity("spaceGroup", program.AutoProc.spaceGroup)
        cell = program.AutoProc.model_dump(exclude={"spaceGroup"})
        renamed = {name.replace("refinedCell_", "cell_"): value for name, value in cell.items()}
        metadata |= quantities(renamed)
    if program.AutoProcScalingStatistics:
        metadata["statistics"] = {
            shell.scalingStatisticsType: quantities(
                shell.model_dump(exclude={"scalingStatisticsType"})
            )
            for shell in program.AutoProcScalingStatistics
        }
        metadata["statisticsConvention"] = quantity("statisticsConvention", STATISTICS_CONVENTION)
    return metadata


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def unique(values: Iterable[str]) -> list[str]:
    """Distinct values in first-seen order (never a set: the order must not depend on hashing)."""
    return list(dict.fromkeys(values))


def text_data_uri(text: str | None) -> str:
    encoded = base64.b64encode((text or "").encode("utf-8")).decode("ascii")
    return f"data:text/plain;base64,{encoded}"
