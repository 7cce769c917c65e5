"""Raw datasets ← data collections, derived datasets ← auto-processing, with their files and logs."""

from __future__ import annotations

from collections.abc import Iterator

from scicatlive.domain import model as ispyb
from scicatlive.mapping import payloads as sc
from scicatlive.mapping.context import ProposalContext
from scicatlive.mapping.quantities import (
    processing_metadata,
    quantities,
    quantity,
    text_data_uri,
    unique,
    utc,
)

# DataCollection fields that are catalogue facts, not collection parameters.
NOT_PARAMETERS = frozenset({"files", "published", "autoProcPrograms"})
DETECTOR_PARAMETERS = frozenset(
    {"detectorManufacturer", "detectorModel", "detectorType",
     "detectorPixelSizeHorizontal", "detectorPixelSizeVertical"}
)  # fmt: skip

# PaNET, the photon and neutron techniques ontology (ExPaNDS-experimental-techniques-ontology,
# source/PaNET.csv): every collection is macromolecular crystallography; a SAD experiment is
# also its child "single wavelength anomalous diffraction".
PANET = "http://purl.org/pan-science/PaNET/"
MX = sc.Technique(pid=f"{PANET}PaNET01164", name="macromolecular crystallography")
TECHNIQUES_OF_EXPERIMENT: dict[str, tuple[sc.Technique, ...]] = {
    "SAD": (sc.Technique(pid=f"{PANET}PaNET01170", name="single wavelength anomalous diffraction"),),
}

CollectionInContext = tuple[
    ispyb.BLSession, ispyb.Container, ispyb.BLSample, ispyb.DataCollectionGroup, ispyb.DataCollection
]


def collections_of(record: ispyb.Proposal) -> Iterator[CollectionInContext]:
    for container, sample in record.samples():
        for group in sample.dataCollectionGroups:
            session = record.session(group.session)
            for collection in group.dataCollections:
                yield session, container, sample, group, collection


def raw_dataset(ctx: ProposalContext, found: CollectionInContext) -> sc.RawDataset:
    session, container, sample, group, collection = found
    pi = ctx.pi
    name = f"{collection.imagePrefix}_{collection.dataCollectionNumber}"
    return sc.RawDataset(
        pid=ctx.ids.raw_dataset(collection),
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
        creationLocation=f"/{ctx.facility.facility.facility.site}/{session.beamLineName}",
        sourceFolder=collection.imageDirectory,
        creationTime=utc(collection.startTime),
        startTime=utc(collection.startTime),
        endTime=utc(collection.endTime),
        dataFormat=collection.imageSuffix,
        proposalId=ctx.proposal.proposal,
        sampleId=ctx.ids.crystal_sample(container.barcode, sample.location),
        instrumentId=ctx.ids.instrument(session.beamLineName),
        keywords=unique(
            ["MX", group.experimentType, session.beamLineName, sample.Crystal.protein,
             "success" if collection.succeeded else "failed"]
        ),
        techniques=[MX, *TECHNIQUES_OF_EXPERIMENT.get(group.experimentType, ())],
        scientificMetadata=collection_metadata(ctx, session, group, collection),
        isPublished=collection.published,
        ownerGroup=ctx.owner_group,
        accessGroups=ctx.access_groups,
    )


def collection_metadata(
    ctx: ProposalContext,
    session: ispyb.BLSession,
    group: ispyb.DataCollectionGroup,
    collection: ispyb.DataCollection,
) -> dict[str, sc.Quantity]:
    parameters = collection.model_dump(exclude=set(NOT_PARAMETERS))
    detector = ctx.facility.facility.beamline(session.beamLineName).Detector
    return {
        **quantities(parameters),
        "energy": quantity("energy", collection.energy),
        "experimentType": quantity("experimentType", group.experimentType),
        "session": quantity("session", f"{ctx.proposal.proposal}-{session.visit_number}"),
        "beamLineName": quantity("beamLineName", session.beamLineName),
        "actualContainerSlotInSC": quantity("actualContainerSlotInSC", group.actualContainerSlotInSC),
        "actualSampleSlotInContainer": quantity(
            "actualSampleSlotInContainer", group.actualSampleSlotInContainer
        ),
        **quantities(detector.model_dump(include=set(DETECTOR_PARAMETERS))),
    }


def derived_dataset(
    ctx: ProposalContext, raw: sc.RawDataset, collection: ispyb.DataCollection, program: ispyb.AutoProcProgram
) -> sc.DerivedDataset:
    pi = ctx.pi
    return sc.DerivedDataset(
        pid=ctx.ids.derived_dataset(collection, program),
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
        sourceFolder=program.attachments[0].filePath,
        creationTime=utc(program.processingEndTime),
        proposalId=ctx.proposal.proposal,
        keywords=unique(
            ["MX", "auto-processing", program.processingPrograms,
             "success" if program.succeeded else "failed"]
        ),
        scientificMetadata=processing_metadata(program),
        isPublished=raw.isPublished,
        ownerGroup=ctx.owner_group,
        accessGroups=ctx.access_groups,
    )


def attachments(ctx: ProposalContext, derived: sc.DerivedDataset, program: ispyb.AutoProcProgram) -> list[sc.Attachment]:
    return [
        sc.Attachment(
            aid=ctx.ids.attachment(derived.pid, attachment.fileName),
            caption=f"{program.processingPrograms} log: {attachment.fileName}",
            thumbnail=text_data_uri(attachment.content),
            relationships=[sc.AttachmentRelationship(targetId=derived.pid, targetType="dataset")],
            isPublished=derived.isPublished,
            ownerGroup=derived.ownerGroup,
            accessGroups=derived.accessGroups,
        )
        for attachment in program.attachments
        if attachment.fileType == "Log" and attachment.content is not None
    ]


def raw_datablock(dataset: sc.RawDataset, collection: ispyb.DataCollection) -> sc.OrigDatablock:
    files = [
        sc.DataFile(path=f.fileName, size=f.fileSize, time=utc(f.writtenAt)) for f in collection.files
    ]
    return _datablock(dataset, files)


def derived_datablock(dataset: sc.DerivedDataset, program: ispyb.AutoProcProgram) -> sc.OrigDatablock:
    written = utc(program.processingEndTime)
    files = [sc.DataFile(path=a.fileName, size=a.fileSize, time=written) for a in program.attachments]
    return _datablock(dataset, files)


def _datablock(dataset: sc.RawDataset | sc.DerivedDataset, files: list[sc.DataFile]) -> sc.OrigDatablock:
    return sc.OrigDatablock(
        datasetId=dataset.pid,
        size=sum(f["size"] for f in files),
        dataFileList=files,
        isPublished=dataset.isPublished,
        ownerGroup=dataset.ownerGroup,
        accessGroups=dataset.accessGroups,
    )
