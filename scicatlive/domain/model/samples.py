"""What travels to the beamline: shipments → dewars → containers (pucks) → samples (pins)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from scicatlive.domain.model.base import GraphModel
from scicatlive.domain.model.collections import DataCollectionGroup


class Crystal(GraphModel):
    protein: str = Field(description="acronym of one of the proposal's proteins")
    name: str
    spaceGroup: str = Field(description="short name without blanks, e.g. P212121")
    cell_a: float
    cell_b: float
    cell_c: float
    cell_alpha: float
    cell_beta: float
    cell_gamma: float
    size_X: float = Field(description="µm")
    size_Y: float = Field(description="µm")
    size_Z: float = Field(description="µm")


_Crystal = Crystal


class DiffractionPlan(GraphModel):
    experimentKind: Literal["OSC", "SAD"]
    requiredResolution: float = Field(description="Å")
    requiredCompleteness: float = Field(description="%")
    requiredMultiplicity: float
    anomalousScatterer: str | None = None


_DiffractionPlan = DiffractionPlan


class BLSample(GraphModel):
    name: str = Field(max_length=100)
    code: str = Field(max_length=45, description="pin barcode")
    location: int = Field(ge=1, description="position in the container")
    loopType: str
    holderLength: float = Field(description="mm")
    comments: str | None = None
    Crystal: _Crystal
    DiffractionPlan: _DiffractionPlan
    dataCollectionGroups: list[DataCollectionGroup]


class Container(GraphModel):
    code: str = Field(max_length=45)
    barcode: str = Field(max_length=45)
    containerType: Literal["Unipuck", "Spinepuck"]
    capacity: int
    sampleChangerLocation: str | None = Field(description='puck slot "1"..; None = never loaded')
    beamlineLocation: str | None
    containerStatus: str
    session: int | None = Field(description="visit_number it was loaded for")
    samples: list[BLSample]


class Dewar(GraphModel):
    code: str = Field(max_length=45)
    barCode: str = Field(max_length=45)
    dewarStatus: str
    storageLocation: str
    type: Literal["Dewar"] = "Dewar"
    firstExperiment: int = Field(description="visit_number")
    containers: list[Container]


class Shipping(GraphModel):
    shippingName: str = Field(max_length=45)
    shippingStatus: str
    shippingType: str = "DewarTracking"
    safetyLevel: Literal["GREEN", "YELLOW", "RED"] = "GREEN"
    deliveryAgent_agentName: str
    deliveryAgent_shippingDate: date
    deliveryAgent_deliveryDate: date
    sessions: list[int] = Field(description="visit_numbers served (ShippingHasSession)")
    dewars: list[Dewar]
