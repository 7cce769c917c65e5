"""Proteins, crystals, diffraction plans and samples."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, computed_field

from .common import InputModel, OrmModel
from .shipments import SafetyLevel

ExperimentKind = Literal[
    "Default",
    "MXPressE",
    "MXPressF",
    "MXPressO",
    "MXPressP",
    "MXPressP_SAD",
    "MXPressI",
    "MXPressE_SAD",
    "MXScore",
    "MXPressM",
    "MAD",
    "SAD",
    "Fixed",
    "Ligand binding",
    "Refinement",
    "OSC",
    "MAD - Inverse Beam",
    "SAD - Inverse Beam",
]


class ProteinFields(InputModel):
    name: str | None = Field(None, max_length=255)
    acronym: str = Field(min_length=1, max_length=45)
    description: str | None = None
    sequence: str | None = None
    molecularMass: float | None = Field(None, ge=0, description="kDa")
    safetyLevel: SafetyLevel | None = None
    proteinType: str | None = Field(None, max_length=45)


class ProteinCreate(ProteinFields):
    proposalId: int


class ProteinMeta(OrmModel):
    crystals: int
    samples: int


class ProteinOut(OrmModel):
    proteinId: int
    proposalId: int
    name: str | None
    acronym: str | None
    description: str | None
    sequence: str | None
    molecularMass: float | None
    safetyLevel: str | None
    proteinType: str | None
    hazardGroup: int | None
    containmentLevel: int | None
    meta: ProteinMeta | None = Field(None, serialization_alias="_metadata")


class CrystalFields(InputModel):
    name: str | None = Field(None, max_length=255)
    spaceGroup: str | None = Field(None, max_length=20, pattern=r"^\S*$")
    morphology: str | None = Field(None, max_length=255)
    color: str | None = Field(None, max_length=45)
    size_X: float | None = Field(None, ge=0)
    size_Y: float | None = Field(None, ge=0)
    size_Z: float | None = Field(None, ge=0)
    cell_a: float | None = Field(None, ge=0)
    cell_b: float | None = Field(None, ge=0)
    cell_c: float | None = Field(None, ge=0)
    cell_alpha: float | None = Field(None, ge=0, le=180)
    cell_beta: float | None = Field(None, ge=0, le=180)
    cell_gamma: float | None = Field(None, ge=0, le=180)
    comments: str | None = Field(None, max_length=255)


class CrystalIn(CrystalFields):
    proteinId: int


class DiffractionPlanIn(InputModel):
    experimentKind: ExperimentKind | None = None
    observedResolution: float | None = Field(None, gt=0)
    minimalResolution: float | None = Field(None, gt=0)
    requiredResolution: float | None = Field(None, gt=0)
    requiredCompleteness: float | None = Field(None, ge=0)
    requiredMultiplicity: float | None = Field(None, ge=0)
    exposureTime: float | None = Field(None, ge=0)
    oscillationRange: float | None = Field(None, ge=0)
    preferredBeamDiameter: float | None = Field(None, ge=0)
    radiationSensitivity: float | None = Field(None, ge=0)
    anomalousScatterer: str | None = Field(None, max_length=255)
    numberOfPositions: int | None = Field(None, ge=0)
    forcedSpaceGroup: str | None = Field(None, max_length=45)
    energy: float | None = Field(None, gt=0, description="eV")
    transmission: float | None = Field(None, ge=0, le=1)
    comments: str | None = Field(None, max_length=1024)


class SampleFields(InputModel):
    name: str = Field(min_length=1, max_length=100)
    code: str | None = Field(None, max_length=45, description="Pin / datamatrix barcode")
    location: int = Field(ge=1, description="Position in the container, 1..capacity")
    comments: str | None = Field(None, max_length=1024)
    blSampleStatus: str | None = Field(None, max_length=20)
    holderLength: float | None = Field(None, gt=0)
    loopLength: float | None = Field(None, gt=0)
    loopType: str | None = Field(None, max_length=45)
    SMILES: str | None = Field(None, max_length=400)
    DiffractionPlan: DiffractionPlanIn | None = None


class SampleCreate(SampleFields):
    containerId: int
    Crystal: CrystalIn


class ProteinRef(OrmModel):
    proteinId: int
    proposalId: int
    name: str | None
    acronym: str | None


class CrystalOut(OrmModel):
    crystalId: int
    proteinId: int
    name: str | None
    spaceGroup: str | None
    cell_a: float | None
    cell_b: float | None
    cell_c: float | None
    cell_alpha: float | None
    cell_beta: float | None
    cell_gamma: float | None
    size_X: float | None
    size_Y: float | None
    size_Z: float | None
    comments: str | None
    Protein: ProteinRef | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def space_group(self) -> str | None:
        """The space group under the key MXCuBE's adapter reads."""
        return self.spaceGroup


class DiffractionPlanOut(OrmModel):
    diffractionPlanId: int
    experimentKind: str | None
    observedResolution: float | None
    minimalResolution: float | None
    requiredResolution: float | None
    requiredCompleteness: float | None
    requiredMultiplicity: float | None
    exposureTime: float | None
    oscillationRange: float | None
    preferredBeamDiameter: float | None
    radiationSensitivity: float | None
    anomalousScatterer: str | None
    numberOfPositions: int | None
    forcedSpaceGroup: str | None
    energy: float | None
    transmission: float | None
    comments: str | None


class SampleContainerRef(OrmModel):
    containerId: int
    code: str | None
    barcode: str | None
    containerType: str | None
    capacity: int | None
    sampleChangerLocation: str | None
    beamlineLocation: str | None
    dewarId: int | None


class SampleMeta(OrmModel):
    datacollections: int
    autoIntegrations: int
    proposal: str


class SampleOut(OrmModel):
    blSampleId: int
    name: str | None
    code: str | None
    location: int | None
    comments: str | None
    blSampleStatus: str | None
    holderLength: float | None
    loopLength: float | None
    loopType: str | None
    SMILES: str | None
    isInSampleChanger: bool | None
    lastKnownCenteringPosition: str | None
    containerId: int | None
    crystalId: int | None
    diffractionPlanId: int | None
    Crystal: CrystalOut | None = None
    Container: SampleContainerRef | None = None
    DiffractionPlan: DiffractionPlanOut | None = None
    meta: SampleMeta | None = Field(None, serialization_alias="_metadata")
