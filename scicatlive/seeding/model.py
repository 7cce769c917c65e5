"""The generated facility, as ISPyB sees it.

Entities and field names follow ISPyB's tables and columns (ESRF flavour, as
py-ISPyB and the ispyb-mock use them) so that loading into ISPyB is a thin
translation. The graph nests the way the ispyb-mock's ``POST /bulk/proposals``
does: proposal → sessions, proteins, shipments → dewars → containers →
samples → data collection groups → data collections → auto-processing.
References inside a proposal use natural keys, never database ids: sessions by
``visit_number``, proteins by ``acronym``, people by ``login``.

Natural keys (unique in the facility; they seed every deterministic id):

=====================  ======================================================
person                 ``login``
proposal               ``proposalCode + proposalNumber`` (``Proposal.proposal``)
session                ``<proposal>-<visit_number>``
protein                ``<proposal>/<acronym>``
shipping               ``<proposal>/<shippingName>``
dewar                  ``barCode``
container              ``barcode``
sample                 ``<container barcode>/<location>``
data collection        ``imageDirectory + imagePrefix + "_" + dataCollectionNumber``
auto-processing        ``<data collection key>/<processingPrograms>``
attachment             ``<auto-processing key>/<fileName>``
=====================  ======================================================

A few fields are not ISPyB columns but facts the catalogue needs and ISPyB
keeps elsewhere (on disk or in the user office): file sizes and write times,
the text of processing logs, and whether a collection's data are published.
They are marked "catalogue only"; the ISPyB loader leaves them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scicatlive.seeding.providers.collections import energy_from_wavelength


class GraphModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ISPyB embeds related rows under their table name (``Crystal``, ``AutoProc``...); a
# field cannot share its annotation's name in a class body, so each such class gets
# an underscore alias right after its definition.


# -- facility ----------------------------------------------------------------------------


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


# -- proposal, sessions, proteins ---------------------------------------------------------


SessionRole = Literal["Local Contact", "Team Leader", "Co-Investigator"]


class SessionPerson(GraphModel):
    login: str
    role: SessionRole
    remote: bool


class BLSession(GraphModel):
    visit_number: int = Field(ge=1)
    beamLineName: str
    startDate: datetime
    endDate: datetime
    nbShifts: int
    scheduled: bool = True
    beamLineOperator: str
    comments: str | None = None
    persons: list[SessionPerson]
    externalId: str


class Protein(GraphModel):
    acronym: str = Field(max_length=45)
    name: str = Field(max_length=255)
    sequence: str
    molecularMass: float = Field(description="kDa")
    safetyLevel: Literal["GREEN", "YELLOW", "RED"] = "GREEN"
    externalId: str


# -- samples -----------------------------------------------------------------------------


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


class AutoProc(GraphModel):
    spaceGroup: str = Field(description="with blanks, e.g. 'P 21 21 21'")
    refinedCell_a: float
    refinedCell_b: float
    refinedCell_c: float
    refinedCell_alpha: float
    refinedCell_beta: float
    refinedCell_gamma: float


_AutoProc = AutoProc


class AutoProcIntegration(GraphModel):
    startImageNumber: int
    endImageNumber: int
    refinedDetectorDistance: float | None = None
    refinedXBeam: float | None = None
    refinedYBeam: float | None = None
    cell_a: float | None = None
    cell_b: float | None = None
    cell_c: float | None = None
    cell_alpha: float | None = None
    cell_beta: float | None = None
    cell_gamma: float | None = None
    anomalous: bool = False


_AutoProcIntegration = AutoProcIntegration


ShellType = Literal["overall", "innerShell", "outerShell"]


class AutoProcScalingStatistics(GraphModel):
    """One shell. R-factors and CC are fractions, completeness in % (see providers.statistics)."""

    scalingStatisticsType: ShellType
    resolutionLimitLow: float
    resolutionLimitHigh: float
    rMerge: float
    rMeasAllIPlusIMinus: float
    rPimAllIPlusIMinus: float
    meanIOverSigI: float
    completeness: float
    multiplicity: float
    anomalousCompleteness: float
    anomalousMultiplicity: float
    ccHalf: float
    ccAno: float | None
    nTotalObservations: int
    nTotalUniqueObservations: int
    anomalous: bool


_AutoProcScalingStatistics = AutoProcScalingStatistics


class AutoProcProgramAttachment(GraphModel):
    fileType: Literal["Log", "Result", "Graph"]
    fileName: str = Field(max_length=255)
    filePath: str = Field(max_length=255)
    fileSize: int = Field(ge=0, description="catalogue only: bytes")
    content: str | None = Field(default=None, description="catalogue only: the log's summary")


class AutoProcProgram(GraphModel):
    processingPrograms: str
    processingCommandLine: str = Field(max_length=255)
    processingStatus: Literal["SUCCESS", "FAILED"]
    processingMessage: str | None = Field(default=None, max_length=255)
    processingStartTime: datetime
    processingEndTime: datetime
    processingEnvironment: str | None = None
    AutoProc: _AutoProc | None
    AutoProcIntegration: _AutoProcIntegration
    AutoProcScalingStatistics: list[_AutoProcScalingStatistics] = Field(
        description="empty, or the shells overall, innerShell, outerShell"
    )
    attachments: list[AutoProcProgramAttachment]

    @property
    def succeeded(self) -> bool:
        return self.processingStatus == "SUCCESS"

    def shell(self, kind: ShellType) -> AutoProcScalingStatistics:
        return next(s for s in self.AutoProcScalingStatistics if s.scalingStatisticsType == kind)


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


class Proposal(GraphModel):
    proposalCode: str
    proposalNumber: str
    title: str = Field(max_length=200)
    proposalType: str = "MX"
    state: Literal["Open", "Closed", "Cancelled"] = "Open"
    personLogin: str = Field(description="main proposer (Proposal.personId)")
    members: list[str] = Field(description="logins of ProposalHasPerson, PI first")
    sessions: list[BLSession]
    proteins: list[Protein]
    shippings: list[Shipping]
    externalId: str

    @property
    def proposal(self) -> str:
        return f"{self.proposalCode}{self.proposalNumber}"

    def session(self, visit_number: int) -> BLSession:
        return next(s for s in self.sessions if s.visit_number == visit_number)

    def protein(self, acronym: str) -> Protein:
        return next(p for p in self.proteins if p.acronym == acronym)

    def containers(self) -> Iterator[tuple[Shipping, Dewar, Container]]:
        for shipping in self.shippings:
            for dewar in shipping.dewars:
                for container in dewar.containers:
                    yield shipping, dewar, container

    def samples(self) -> Iterator[tuple[Container, BLSample]]:
        for _, _, container in self.containers():
            for sample in container.samples:
                yield container, sample


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


DataCollection.model_rebuild()
