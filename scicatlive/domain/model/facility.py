"""The facility: beamlines with their detectors, people, and the whole graph of one recipe."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from scicatlive.domain.model.base import GraphModel
from scicatlive.domain.model.collections import DataCollection
from scicatlive.domain.model.processing import AutoProcProgram
from scicatlive.domain.model.proposals import Proposal
from scicatlive.domain.model.samples import BLSample, Container


class Detector(GraphModel):
    detectorManufacturer: str
    detectorModel: str
    detectorType: str
    detectorPixelSizeHorizontal: float = Field(description="mm")
    detectorPixelSizeVertical: float = Field(description="mm")
    numberOfPixelsX: int
    numberOfPixelsY: int
    detectorDistanceMin: float = Field(description="mm")
    detectorDistanceMax: float = Field(description="mm")
    imageFormat: Literal["h5", "cbf"]


_Detector = Detector


class Beamline(GraphModel):
    beamLineName: str
    Detector: _Detector
    sampleChangerType: str
    sampleChangerCapacity: int = Field(description="puck slots in the robot dewar")
    energyMin: float = Field(description="keV")
    energyMax: float = Field(description="keV")


class Laboratory(GraphModel):
    name: str = Field(max_length=45)
    city: str = Field(max_length=45)
    country: str = Field(max_length=45)


_Laboratory = Laboratory


class Person(GraphModel):
    login: str = Field(max_length=45)
    givenName: str = Field(max_length=45)
    familyName: str = Field(max_length=100)
    emailAddress: str = Field(max_length=60)
    Laboratory: _Laboratory
    externalId: str

    @property
    def full_name(self) -> str:
        return f"{self.givenName} {self.familyName}"


class Facility(GraphModel):
    name: str
    site: str
    dataRoot: str


class FacilityGraph(GraphModel):
    """Everything one recipe generates."""

    recipe: str
    seed: int
    facility: Facility
    staffGroup: str
    beamlines: list[Beamline]
    persons: list[Person]
    staff: list[str] = Field(description="logins of the beamline scientists")
    proposals: list[Proposal]

    def person(self, login: str) -> Person:
        return next(p for p in self.persons if p.login == login)

    def beamline(self, name: str) -> Beamline:
        return next(b for b in self.beamlines if b.beamLineName == name)

    def containers(self) -> Iterator[Container]:
        for proposal in self.proposals:
            for _, _, container in proposal.containers():
                yield container

    def samples(self) -> Iterator[BLSample]:
        for container in self.containers():
            yield from container.samples

    def data_collections(self) -> Iterator[DataCollection]:
        for sample in self.samples():
            for group in sample.dataCollectionGroups:
                yield from group.dataCollections

    def processing_programs(self) -> Iterator[AutoProcProgram]:
        for collection in self.data_collections():
            yield from collection.autoProcPrograms
