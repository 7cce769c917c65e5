"""Published data ← a proposal's published datasets: one DOI per proposal, as a facility mints
one for the data behind a paper (SciCat's "publish" of a dataset selection).

The fields follow what SciCat's own publish form fills in from the backend's
``/publisheddata/formpopulate`` (the proposal's title and abstract, the first dataset's
type), with the creators, publisher and sizes a DataCite record needs.
"""

from __future__ import annotations

from scicatlive.mapping import payloads as sc
from scicatlive.mapping.context import ProposalContext
from scicatlive.mapping.quantities import unique


def published_data(
    ctx: ProposalContext,
    proposal: sc.Proposal,
    raw: list[sc.RawDataset],
    derived: list[sc.DerivedDataset],
    blocks: list[sc.OrigDatablock],
) -> sc.PublishedData | None:
    """The proposal's published-data record, or None when none of its datasets is published."""
    raws = [d for d in raw if d.isPublished]
    if not raws:
        return None
    deriveds = [d for d in derived if d.isPublished]
    pids = [d.pid for d in raws] + [d.pid for d in deriveds]
    files = [b for b in blocks if b.datasetId in set(pids)]
    record, pi = ctx.proposal, ctx.pi
    others = [ctx.facility.facility.person(login).full_name for login in record.members if login != pi.login]
    return sc.PublishedData(
        doi=ctx.ids.published_data(record),
        title=proposal.title,
        abstract=proposal.abstract,
        creator=[pi.full_name],
        authors=unique(others),
        affiliation=pi.Laboratory.name,
        publisher=ctx.facility.facility.facility.name,
        publicationYear=max(d.endTime for d in raws).year,
        resourceType=raws[0].type,
        dataDescription=_description(raws, deriveds),
        pidArray=pids,
        numberOfFiles=sum(len(b.dataFileList) for b in files),
        sizeOfArchive=sum(b.size for b in files),
    )


def _description(raws: list[sc.RawDataset], deriveds: list[sc.DerivedDataset]) -> str:
    beamlines = unique(d.creationLocation.rsplit("/", 1)[-1] for d in raws)
    formats = unique(d.dataFormat for d in raws)
    text = f"{_datasets(len(raws), 'raw')} (diffraction images, {', '.join(formats)}) from {', '.join(beamlines)}"
    if deriveds:
        programs = unique(program for d in deriveds for program in d.usedSoftware)
        text += f" and {_datasets(len(deriveds), 'derived')} (auto-processing: {', '.join(programs)})"
    return text + "."


def _datasets(count: int, kind: str) -> str:
    return f"{count} {kind} dataset{'' if count == 1 else 's'}"
