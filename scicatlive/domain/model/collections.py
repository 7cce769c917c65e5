"""Data collections: one sweep on one sample, its images, and the group it belongs to."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from scicatlive.domain.diffraction import energy_from_wavelength
from scicatlive.domain.model.base import GraphModel
from scicatlive.domain.model.processing import AutoProcProgram


class ImageFile(GraphModel):
    """Catalogue only: one file a collection wrote."""

    fileName: str
    fileSize: int = Field(ge=0, description="bytes")
    writtenAt: datetime


class DataCollection(GraphModel):
    imageDirectory: str = Field(max_length=255, description="ends with /")
    imagePrefix: str = Field(max_length=100)
    dataCollectionNumber: int = Field(ge=1)
    startTime: datetime
    endTime: datetime
    runStatus: str
    axisStart: float
    axisEnd: float
    axisRange: float = Field(description="oscillation per image, degrees")
    overlap: float = 0.0
    numberOfImages: int
    startImageNumber: int = 1
    numberOfPasses: int = 1
    exposureTime: float = Field(description="s per image")
    imageSuffix: str
    fileTemplate: str
    imageContainerSubPath: str | None
    wavelength: float = Field(description="Å")
    resolution: float = Field(description="Å at the nearest detector edge")
    resolutionAtCorner: float = Field(description="Å")
    detectorDistance: float = Field(description="mm")
    xBeam: float = Field(description="mm")
    yBeam: float = Field(description="mm")
    transmission: float = Field(description="%")
    flux: float = Field(description="photons/s")
    beamSizeAtSampleX: float = Field(description="mm")
    beamSizeAtSampleY: float = Field(description="mm")
    beamShape: str
    rotationAxis: Literal["Omega", "Kappa", "Phi"] = "Omega"
    omegaStart: float
    kappaStart: float = 0.0
    phiStart: float = 0.0
    slitGapHorizontal: float = Field(description="mm")
    slitGapVertical: float = Field(description="mm")
    undulatorGap1: float = Field(description="mm")
    synchrotronMode: str
    files: list[ImageFile] = Field(description="catalogue only")
    published: bool = Field(description="catalogue only: the data are public")
    autoProcPrograms: list[AutoProcProgram]

    @property
    def natural_key(self) -> str:
        return f"{self.imageDirectory}{self.imagePrefix}_{self.dataCollectionNumber}"

    @property
    def energy(self) -> float:
        """keV, from the wavelength (ISPyB stores only λ)."""
        return round(energy_from_wavelength(self.wavelength), 4)

    @property
    def succeeded(self) -> bool:
        return "success" in self.runStatus.lower()


class DataCollectionGroup(GraphModel):
    session: int = Field(description="visit_number of the session it was collected in")
    experimentType: Literal["OSC", "SAD", "Helical"]
    startTime: datetime
    endTime: datetime
    actualSampleBarcode: str
    actualSampleSlotInContainer: int
    actualContainerBarcode: str
    actualContainerSlotInSC: int
    dataCollections: list[DataCollection]
