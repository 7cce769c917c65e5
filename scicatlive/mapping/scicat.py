"""The ISPyB → SciCat mapping: the one place where ISPyB fields become SciCat fields.

``docs/mapping.md`` is the field-by-field description of this module; change
both together. Conventions:

* ISPyB times are facility-local without a zone; the seed treats them as UTC.
* Every metadata entry is ``{value, unit}``; units are mathjs spellings
  (``angstrom``, ``keV``, ``mm``, ``s``, ``deg``...) so the backend can add SI
  values; text and counts have the unit ``""``.
* Metadata keys are ISPyB column names; in sample characteristics they carry
  their table as a prefix (``Crystal_cell_a``, ``Container_barcode``).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field

from scicatlive.mapping import payloads as sc
from scicatlive.seeding import model as ispyb
from scicatlive.seeding.keys import stable_uuid
from scicatlive.seeding.recipe import Recipe, SampleLayout

DEFAULT_PID_PREFIX = "PID.SAMPLE.PREFIX"
STATISTICS_CONVENTION = (
    "rMerge, rMeas, rPim, ccHalf and ccAno are fractions; completeness in percent"
)

UNITS: dict[str, str] = {
    **dict.fromkeys(
        (
            "wavelength",
            "resolution",
            "resolutionAtCorner",
            "requiredResolution",
            "resolutionLimitLow",
            "resolutionLimitHigh",
        ),
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
        (
            "detectorDistance",
            "refinedDetectorDistance",
            "xBeam",
            "yBeam",
            "refinedXBeam",
            "refinedYBeam",
            "beamSizeAtSampleX",
            "beamSizeAtSampleY",
            "slitGapHorizontal",
            "slitGapVertical",
            "undulatorGap1",
            "holderLength",
            "detectorPixelSizeHorizontal",
            "detectorPixelSizeVertical",
            "detectorDistanceMin",
            "detectorDistanceMax",
        ),
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

# DataCollection fields that are catalogue facts, not collection parameters.
_NOT_PARAMETERS = frozenset({"files", "published", "autoProcPrograms"})


class MappingOptions(BaseModel):
    """Choices the mapping leaves to the recipe or the profile."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pid_prefix: str = Field(
        default=DEFAULT_PID_PREFIX, min_length=1, description="the backend's PID_PREFIX"
    )
    sample_layout: SampleLayout = "hierarchical"

    @classmethod
    def from_recipe(
        cls,
        recipe: Recipe,
        *,
        pid_prefix: str = DEFAULT_PID_PREFIX,
        sample_layout: SampleLayout | None = None,
    ) -> MappingOptions:
        """The recipe's choices; ``sample_layout`` overrides the recipe (a profile setting)."""
        return cls(
            pid_prefix=pid_prefix, sample_layout=sample_layout or recipe.catalogue.sample_layout
        )


def map_graph(
    graph: ispyb.FacilityGraph, options: MappingOptions | None = None
) -> sc.SciCatPayloads:
    """Every SciCat record for the facility, with deterministic ids."""
    mapper = _Mapper(graph, options or MappingOptions())
    return mapper.payloads()


# -- identifiers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Identifiers:
    """SciCat ids from ISPyB natural keys (see ``scicatlive.seeding.model``)."""

    site: str
    pid_prefix: str

    def _uuid(self, kind: str, key: str) -> str:
        return str(stable_uuid(self.site, kind, key))

    def instrument(self, beamline: str) -> str:
        return self._uuid("instrument", beamline)

    def shipping_sample(self, proposal: str, shipping_name: str) -> str:
        return self._uuid("shipping", f"{proposal}/{shipping_name}")

    def dewar_sample(self, bar_code: str) -> str:
        return self._uuid("dewar", bar_code)

    def container_sample(self, barcode: str) -> str:
        return self._uuid("container", barcode)

    def crystal_sample(self, container_barcode: str, location: int) -> str:
        return self._uuid("sample", f"{container_barcode}/{location}")

    def raw_dataset(self, collection: ispyb.DataCollection) -> str:
        return f"{self.pid_prefix}/{self._uuid('datacollection', collection.natural_key)}"

    def derived_dataset(
        self, collection: ispyb.DataCollection, program: ispyb.AutoProcProgram
    ) -> str:
        key = f"{collection.natural_key}/{program.processingPrograms}"
        return f"{self.pid_prefix}/{self._uuid('autoprocprogram', key)}"

    def attachment(self, derived_pid: str, file_name: str) -> str:
        return self._uuid("attachment", f"{derived_pid}/{file_name}")


def proposal_group(proposal: ispyb.Proposal) -> str:
    """The SciCat group owning everything of a proposal: its name in lower case."""
    return proposal.proposal.lower()


def beamline_group(beamline: str) -> str:
    return beamline.lower()


# -- the mapper ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _ProposalContext:
    proposal: ispyb.Proposal
    pi: ispyb.Person
    owner_group: str
    access_groups: list[str]


class _Mapper:
    def __init__(self, graph: ispyb.FacilityGraph, options: MappingOptions) -> None:
        self.graph = graph
        self.options = options
        self.ids = Identifiers(graph.facility.site, options.pid_prefix)

    def payloads(self) -> sc.SciCatPayloads:
        samples: list[sc.Sample] = []
        raw: list[sc.RawDataset] = []
        derived: list[sc.DerivedDataset] = []
        blocks: list[sc.OrigDatablock] = []
        attachments: list[sc.Attachment] = []
        for proposal in self.graph.proposals:
            context = self._context(proposal)
            samples += self._samples(context)
            for session, container, sample, group, collection in _collections(proposal):
                raw_dataset = self._raw_dataset(
                    context, session, container, sample, group, collection
                )
                raw.append(raw_dataset)
                blocks.append(_raw_datablock(raw_dataset, collection))
                for program in collection.autoProcPrograms:
                    derived_dataset = self._derived_dataset(
                        context, raw_dataset, collection, program
                    )
                    derived.append(derived_dataset)
                    blocks.append(_derived_datablock(derived_dataset, program))
                    attachments += self._attachments(derived_dataset, program)
        return sc.SciCatPayloads(
            instruments=[self._instrument(beamline) for beamline in self.graph.beamlines],
            proposals=[
                self._proposal(self._context(proposal)) for proposal in self.graph.proposals
            ],
            samples=samples,
            raw_datasets=raw,
            derived_datasets=derived,
            origdatablocks=blocks,
            attachments=attachments,
            memberships=self._memberships(),
        )

    def _context(self, proposal: ispyb.Proposal) -> _ProposalContext:
        beamlines = _unique(session.beamLineName for session in proposal.sessions)
        return _ProposalContext(
            proposal=proposal,
            pi=self.graph.person(proposal.personLogin),
            owner_group=proposal_group(proposal),
            access_groups=[self.graph.staffGroup, *(beamline_group(name) for name in beamlines)],
        )

    # -- instruments and proposals ---------------------------------------------------------

    def _instrument(self, beamline: ispyb.Beamline) -> sc.Instrument:
        detector = beamline.Detector
        return sc.Instrument(
            pid=self.ids.instrument(beamline.beamLineName),
            uniqueName=beamline.beamLineName,
            name=beamline.beamLineName,
            customMetadata={
                "facility": _quantity("facility", self.graph.facility.name),
                "sampleChangerType": _quantity("sampleChangerType", beamline.sampleChangerType),
                "sampleChangerCapacity": _quantity(
                    "sampleChangerCapacity", beamline.sampleChangerCapacity
                ),
                "energyMin": _quantity("energyMin", beamline.energyMin),
                "energyMax": _quantity("energyMax", beamline.energyMax),
                **_quantities(detector.model_dump()),
            },
        )

    def _proposal(self, context: _ProposalContext) -> sc.Proposal:
        proposal, pi = context.proposal, context.pi
        sessions = proposal.sessions
        proteins = ", ".join(f"{p.name} ({p.acronym})" for p in proposal.proteins)
        return sc.Proposal(
            proposalId=proposal.proposal,
            title=proposal.title,
            abstract=f"{proposal.title}. Macromolecular crystallography of {proteins}.",
            email=pi.emailAddress,
            firstname=pi.givenName,
            lastname=pi.familyName,
            pi_email=pi.emailAddress,
            pi_firstname=pi.givenName,
            pi_lastname=pi.familyName,
            startTime=_utc(min(s.startDate for s in sessions)),
            endTime=_utc(max(s.endDate for s in sessions)),
            MeasurementPeriodList=[
                sc.MeasurementPeriod(
                    instrument=session.beamLineName,
                    start=_utc(session.startDate),
                    end=_utc(session.endDate),
                    comment=f"{proposal.proposal}-{session.visit_number}",
                )
                for session in sessions
            ],
            instrumentIds=[
                self.ids.instrument(name) for name in _unique(s.beamLineName for s in sessions)
            ],
            metadata={
                "proposalType": proposal.proposalType,
                "state": proposal.state,
                "ispybExternalId": proposal.externalId,
                "members": proposal.members,
            },
            ownerGroup=context.owner_group,
            accessGroups=context.access_groups,
        )

    # -- samples -------------------------------------------------------------------------------

    def _samples(self, context: _ProposalContext) -> list[sc.Sample]:
        proposal = context.proposal
        hierarchical = self.options.sample_layout == "hierarchical"
        samples: list[sc.Sample] = []
        for shipping in proposal.shippings:
            shipping_id = self.ids.shipping_sample(proposal.proposal, shipping.shippingName)
            if hierarchical:
                samples.append(self._shipping_sample(context, shipping, shipping_id))
            for dewar in shipping.dewars:
                dewar_id = self.ids.dewar_sample(dewar.barCode)
                if hierarchical:
                    samples.append(
                        self._dewar_sample(context, shipping, dewar, dewar_id, shipping_id)
                    )
                for container in dewar.containers:
                    container_id = self.ids.container_sample(container.barcode)
                    if hierarchical:
                        samples.append(
                            self._container_sample(
                                context, dewar, container, container_id, dewar_id
                            )
                        )
                    for sample in container.samples:
                        samples.append(
                            self._crystal_sample(
                                context,
                                shipping,
                                dewar,
                                container,
                                sample,
                                container_id if hierarchical else None,
                            )
                        )
        return samples

    def _sample(
        self,
        context: _ProposalContext,
        sample_id: str,
        name: str,
        kind: sc.SampleType,
        description: str,
        characteristics: dict[str, sc.Quantity],
        published: bool,
        parent: str | None,
    ) -> sc.Sample:
        return sc.Sample(
            sampleId=sample_id,
            sampleName=name,
            type=kind,
            description=description,
            owner=context.pi.full_name,
            proposalId=context.proposal.proposal,
            parentSampleId=parent,
            sampleCharacteristics=characteristics,
            isPublished=published,
            ownerGroup=context.owner_group,
            accessGroups=context.access_groups,
        )

    def _shipping_sample(
        self, context: _ProposalContext, shipping: ispyb.Shipping, sample_id: str
    ) -> sc.Sample:
        return self._sample(
            context, sample_id, shipping.shippingName, "shipment",
            f"Shipment {shipping.shippingName} ({len(shipping.dewars)} dewars) by {shipping.deliveryAgent_agentName}",
            _shipping_characteristics(shipping), _any_published(shipping_collections(shipping)), None,
        )  # fmt: skip

    def _dewar_sample(
        self,
        context: _ProposalContext,
        shipping: ispyb.Shipping,
        dewar: ispyb.Dewar,
        sample_id: str,
        parent: str,
    ) -> sc.Sample:
        return self._sample(
            context, sample_id, dewar.code, "dewar",
            f"Dewar {dewar.barCode} of {shipping.shippingName} ({len(dewar.containers)} pucks)",
            _dewar_characteristics(dewar), _any_published(dewar_collections(dewar)), parent,
        )  # fmt: skip

    def _container_sample(
        self,
        context: _ProposalContext,
        dewar: ispyb.Dewar,
        container: ispyb.Container,
        sample_id: str,
        parent: str,
    ) -> sc.Sample:
        return self._sample(
            context, sample_id, container.code, "puck",
            f"{container.containerType} {container.barcode} in dewar {dewar.barCode} "
            f"({len(container.samples)} of {container.capacity} positions filled)",
            _container_characteristics(container), _any_published(container_collections(container)), parent,
        )  # fmt: skip

    def _crystal_sample(
        self,
        context: _ProposalContext,
        shipping: ispyb.Shipping,
        dewar: ispyb.Dewar,
        container: ispyb.Container,
        sample: ispyb.BLSample,
        parent: str | None,
    ) -> sc.Sample:
        protein = context.proposal.protein(sample.Crystal.protein)
        characteristics = _crystal_characteristics(sample, protein)
        if parent is None:  # flat: the crystal carries its whole journey
            characteristics |= _container_characteristics(container)
            characteristics |= _dewar_characteristics(dewar)
            characteristics |= _shipping_characteristics(shipping)
        return self._sample(
            context, self.ids.crystal_sample(container.barcode, sample.location), sample.name, "crystal",
            f"{protein.acronym} crystal {sample.name}, {sample.Crystal.spaceGroup}, "
            f"in {container.code} position {sample.location}",
            characteristics, _any_published(sample_collections(sample)), parent,
        )  # fmt: skip

    # -- datasets ------------------------------------------------------------------------------

    def _raw_dataset(
        self,
        context: _ProposalContext,
        session: ispyb.BLSession,
        container: ispyb.Container,
        sample: ispyb.BLSample,
        group: ispyb.DataCollectionGroup,
        collection: ispyb.DataCollection,
    ) -> sc.RawDataset:
        proposal, pi = context.proposal, context.pi
        beamline = self.graph.beamline(session.beamLineName)
        name = f"{collection.imagePrefix}_{collection.dataCollectionNumber}"
        return sc.RawDataset(
            pid=self.ids.raw_dataset(collection),
            datasetName=name,
            description=(
                f"{group.experimentType} data collection {name} of {sample.Crystal.protein} on "
                f"{session.beamLineName}: {collection.numberOfImages} images, {collection.runStatus}"
            ),
            runNumber=str(collection.dataCollectionNumber),
            owner=pi.full_name,
            ownerEmail=pi.emailAddress,
            contactEmail=pi.emailAddress,
            principalInvestigator=pi.full_name,
            creationLocation=f"/{self.graph.facility.site}/{session.beamLineName}",
            sourceFolder=collection.imageDirectory,
            creationTime=_utc(collection.startTime),
            startTime=_utc(collection.startTime),
            endTime=_utc(collection.endTime),
            dataFormat=collection.imageSuffix,
            proposalId=proposal.proposal,
            sampleId=self.ids.crystal_sample(container.barcode, sample.location),
            instrumentId=self.ids.instrument(session.beamLineName),
            keywords=_unique(
                [
                    "MX",
                    group.experimentType,
                    session.beamLineName,
                    sample.Crystal.protein,
                    "success" if collection.succeeded else "failed",
                ]
            ),
            scientificMetadata=self._collection_metadata(
                proposal, session, beamline, group, collection
            ),
            isPublished=collection.published,
            ownerGroup=context.owner_group,
            accessGroups=context.access_groups,
        )

    @staticmethod
    def _collection_metadata(
        proposal: ispyb.Proposal,
        session: ispyb.BLSession,
        beamline: ispyb.Beamline,
        group: ispyb.DataCollectionGroup,
        collection: ispyb.DataCollection,
    ) -> dict[str, sc.Quantity]:
        parameters = collection.model_dump(exclude=set(_NOT_PARAMETERS))
        detector = beamline.Detector
        return {
            **_quantities(parameters),
            "energy": _quantity("energy", collection.energy),
            "experimentType": _quantity("experimentType", group.experimentType),
            "session": _quantity("session", f"{proposal.proposal}-{session.visit_number}"),
            "beamLineName": _quantity("beamLineName", session.beamLineName),
            "actualContainerSlotInSC": _quantity(
                "actualContainerSlotInSC", group.actualContainerSlotInSC
            ),
            "actualSampleSlotInContainer": _quantity(
                "actualSampleSlotInContainer", group.actualSampleSlotInContainer
            ),
            **_quantities(
                detector.model_dump(
                    include={
                        "detectorManufacturer",
                        "detectorModel",
                        "detectorType",
                        "detectorPixelSizeHorizontal",
                        "detectorPixelSizeVertical",
                    }
                )
            ),
        }

    def _derived_dataset(
        self,
        context: _ProposalContext,
        raw: sc.RawDataset,
        collection: ispyb.DataCollection,
        program: ispyb.AutoProcProgram,
    ) -> sc.DerivedDataset:
        pi = context.pi
        folder = program.attachments[0].filePath
        return sc.DerivedDataset(
            pid=self.ids.derived_dataset(collection, program),
            datasetName=f"{raw.datasetName} {program.processingPrograms}",
            description=(
                f"{program.processingPrograms} auto-processing of {raw.datasetName}: "
                f"{program.processingStatus.lower()}"
                + (f", {program.AutoProc.spaceGroup}" if program.AutoProc else "")
            ),
            owner=pi.full_name,
            ownerEmail=pi.emailAddress,
            contactEmail=pi.emailAddress,
            investigator=pi.full_name,
            inputDatasets=[raw.pid],
            usedSoftware=[program.processingPrograms],
            jobParameters={
                key: value
                for key, value in (
                    ("processingCommandLine", program.processingCommandLine),
                    ("processingEnvironment", program.processingEnvironment),
                )
                if value is not None
            },
            jobLogData=program.processingMessage,
            sourceFolder=folder,
            creationTime=_utc(program.processingEndTime),
            proposalId=context.proposal.proposal,
            keywords=_unique(
                [
                    "MX",
                    "auto-processing",
                    program.processingPrograms,
                    "success" if program.succeeded else "failed",
                ]
            ),
            scientificMetadata=_processing_metadata(program),
            isPublished=raw.isPublished,
            ownerGroup=context.owner_group,
            accessGroups=context.access_groups,
        )

    def _attachments(
        self, derived: sc.DerivedDataset, program: ispyb.AutoProcProgram
    ) -> list[sc.Attachment]:
        return [
            sc.Attachment(
                aid=self.ids.attachment(derived.pid, attachment.fileName),
                caption=f"{program.processingPrograms} log: {attachment.fileName}",
                thumbnail=_text_data_uri(attachment.content),
                relationships=[
                    sc.AttachmentRelationship(targetId=derived.pid, targetType="dataset")
                ],
                isPublished=derived.isPublished,
                ownerGroup=derived.ownerGroup,
                accessGroups=derived.accessGroups,
            )
            for attachment in program.attachments
            if attachment.fileType == "Log" and attachment.content is not None
        ]

    # -- people ------------------------------------------------------------------------------------

    def _memberships(self) -> list[sc.GroupMembership]:
        groups: dict[str, list[str]] = {person.login: [] for person in self.graph.persons}
        for proposal in self.graph.proposals:
            for login in proposal.members:
                groups[login].append(proposal_group(proposal))
        staff_groups = [
            self.graph.staffGroup,
            *(beamline_group(b.beamLineName) for b in self.graph.beamlines),
        ]
        for login in self.graph.staff:
            groups[login] += staff_groups
        return [
            sc.GroupMembership(
                login=person.login, email=person.emailAddress, groups=_unique(groups[person.login])
            )
            for person in self.graph.persons
        ]


# -- ISPyB rows → metadata -----------------------------------------------------------------------


def _quantity(name: str, value: sc.MetadataValue | datetime | date) -> sc.Quantity:
    if isinstance(value, datetime):
        return sc.Quantity(value=_utc(value).isoformat().replace("+00:00", "Z"))
    if isinstance(value, date):
        return sc.Quantity(value=value.isoformat())
    return sc.Quantity(value=value, unit=UNITS.get(name, ""))


def _quantities(row: dict[str, object], prefix: str = "") -> dict[str, sc.Quantity]:
    """One ``{value, unit}`` per set column; empty columns are left out."""
    return {
        f"{prefix}{name}": _quantity(name, value)  # type: ignore[arg-type]
        for name, value in row.items()
        if value is not None and not isinstance(value, (list, dict))
    }


def _crystal_characteristics(
    sample: ispyb.BLSample, protein: ispyb.Protein
) -> dict[str, sc.Quantity]:
    return {
        **_quantities(
            sample.model_dump(
                include={"name", "code", "location", "loopType", "holderLength", "comments"}
            ),
            "BLSample_",
        ),
        **_quantities(sample.Crystal.model_dump(), "Crystal_"),
        **_quantities(protein.model_dump(exclude={"externalId"}), "Protein_"),
        **_quantities(sample.DiffractionPlan.model_dump(), "DiffractionPlan_"),
    }


def _container_characteristics(container: ispyb.Container) -> dict[str, sc.Quantity]:
    return _quantities(container.model_dump(exclude={"samples"}), "Container_")


def _dewar_characteristics(dewar: ispyb.Dewar) -> dict[str, sc.Quantity]:
    return _quantities(dewar.model_dump(exclude={"containers"}), "Dewar_")


def _shipping_characteristics(shipping: ispyb.Shipping) -> dict[str, sc.Quantity]:
    return _quantities(shipping.model_dump(exclude={"dewars", "sessions"}), "Shipping_")


def _processing_metadata(program: ispyb.AutoProcProgram) -> dict[str, sc.Quantity | sc.ShellTable]:
    metadata: dict[str, sc.Quantity | sc.ShellTable] = {
        **_quantities(
            program.model_dump(
                include={
                    "processingPrograms",
                    "processingStatus",
                    "processingMessage",
                    "processingStartTime",
                    "processingEndTime",
                }
            )
        ),
        **_quantities(
            program.AutoProcIntegration.model_dump(
                exclude={"cell_a", "cell_b", "cell_c", "cell_alpha", "cell_beta", "cell_gamma"}
            )
        ),
    }
    if program.AutoProc is not None:
        metadata["spaceGroup"] = _quantity("spaceGroup", program.AutoProc.spaceGroup)
        cell = program.AutoProc.model_dump(exclude={"spaceGroup"})
        renamed = {name.replace("refinedCell_", "cell_"): value for name, value in cell.items()}
        metadata |= _quantities(renamed)
    if program.AutoProcScalingStatistics:
        metadata["statistics"] = {
            shell.scalingStatisticsType: _quantities(
                shell.model_dump(exclude={"scalingStatisticsType"})
            )
            for shell in program.AutoProcScalingStatistics
        }
        metadata["statisticsConvention"] = _quantity("statisticsConvention", STATISTICS_CONVENTION)
    return metadata


def _raw_datablock(dataset: sc.RawDataset, collection: ispyb.DataCollection) -> sc.OrigDatablock:
    files = [
        sc.DataFile(path=f.fileName, size=f.fileSize, time=_utc(f.writtenAt))
        for f in collection.files
    ]
    return _datablock(
        dataset.pid, files, dataset.isPublished, dataset.ownerGroup, dataset.accessGroups
    )


def _derived_datablock(
    dataset: sc.DerivedDataset, program: ispyb.AutoProcProgram
) -> sc.OrigDatablock:
    written = _utc(program.processingEndTime)
    files = [
        sc.DataFile(path=a.fileName, size=a.fileSize, time=written) for a in program.attachments
    ]
    return _datablock(
        dataset.pid, files, dataset.isPublished, dataset.ownerGroup, dataset.accessGroups
    )


def _datablock(
    pid: str, files: list[sc.DataFile], published: bool, owner_group: str, access_groups: list[str]
) -> sc.OrigDatablock:
    return sc.OrigDatablock(
        datasetId=pid,
        size=sum(f.size for f in files),
        dataFileList=files,
        isPublished=published,
        ownerGroup=owner_group,
        accessGroups=access_groups,
    )


# -- walking the graph -------------------------------------------------------------------------------


_CollectionInContext = tuple[
    ispyb.BLSession,
    ispyb.Container,
    ispyb.BLSample,
    ispyb.DataCollectionGroup,
    ispyb.DataCollection,
]


def _collections(proposal: ispyb.Proposal) -> Iterator[_CollectionInContext]:
    for container, sample in proposal.samples():
        for group in sample.dataCollectionGroups:
            session = proposal.session(group.session)
            for collection in group.dataCollections:
                yield session, container, sample, group, collection


def sample_collections(sample: ispyb.BLSample) -> Iterator[ispyb.DataCollection]:
    for group in sample.dataCollectionGroups:
        yield from group.dataCollections


def container_collections(container: ispyb.Container) -> Iterator[ispyb.DataCollection]:
    for sample in container.samples:
        yield from sample_collections(sample)


def dewar_collections(dewar: ispyb.Dewar) -> Iterator[ispyb.DataCollection]:
    for container in dewar.containers:
        yield from container_collections(container)


def shipping_collections(shipping: ispyb.Shipping) -> Iterator[ispyb.DataCollection]:
    for dewar in shipping.dewars:
        yield from dewar_collections(dewar)


def _any_published(collections: Iterable[ispyb.DataCollection]) -> bool:
    """A sample is public as soon as one of its collections is: public data need their sample."""
    return any(collection.published for collection in collections)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)


def _unique(values: Iterable[str]) -> list[str]:
    """Distinct values in first-seen order (never a set: the order must not depend on hashing)."""
    return list(dict.fromkeys(values))


def _text_data_uri(text: str | None) -> str:
    encoded = base64.b64encode((text or "").encode("utf-8")).decode("ascii")
    return f"data:text/plain;base64,{encoded}"


__all__ = [
    "UNITS",
    "Identifiers",
    "MappingOptions",
    "beamline_group",
    "map_graph",
    "proposal_group",
]
