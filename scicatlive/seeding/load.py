"""Load a generated facility into ISPyB, and its SciCat records into SciCat.

Both are idempotent: ISPyB upserts by natural keys, SciCat records carry
deterministic ids (a 409 means "already there"), and datasets get their
origdatablock only once. Requests run concurrently within each entity type;
types go in dependency order. A failure names the entity, its id and the
server's message, and stops the load.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from scicatlive.clients.ispyb import IspybApi
from scicatlive.clients.scicat import ScicatApi
from scicatlive.mapping import payloads as sc
from scicatlive.progress import Reporter
from scicatlive.domain import model as ispyb
from scicatlive.seeding.ispyb_payload import bulk_proposal

T = TypeVar("T")


@dataclass
class Tally:
    created: int = 0
    existing: int = 0

    @property
    def total(self) -> int:
        return self.created + self.existing


@dataclass
class LoadReport:
    ispyb_rows: dict[str, int] = field(default_factory=dict)
    scicat: dict[str, Tally] = field(default_factory=dict)


async def _each(
    task: str,
    items: Sequence[T],
    action: Callable[[T], Awaitable[bool]],
    reporter: Reporter,
) -> Tally:
    """Run ``action`` on every item concurrently (the client bounds it); count new vs existing."""
    tally = Tally()
    reporter.progress(task, 0, len(items))

    async def one(item: T) -> None:
        if await action(item):
            tally.created += 1
        else:
            tally.existing += 1
        reporter.progress(task, tally.total, len(items))

    try:
        async with asyncio.TaskGroup() as group:
            for item in items:
                group.create_task(one(item))
    except BaseExceptionGroup as failures:
        raise _first(failures) from None
    return tally


def _first(group: BaseExceptionGroup) -> BaseException:
    error = group.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


async def load_ispyb(api: IspybApi, graph: ispyb.FacilityGraph, reporter: Reporter) -> dict[str, int]:
    """Every proposal, one transaction each; returns the rows created per table.

    One after the other: proposals share people, and two transactions
    creating the same person at once would collide.
    """
    created: dict[str, int] = {}
    for done, proposal in enumerate(graph.proposals):
        reporter.progress("ISPyB proposals", done, len(graph.proposals))
        result = await api.load_proposal(bulk_proposal(graph, proposal))
        for table, count in result.get("created", {}).items():
            created[table] = created.get(table, 0) + int(count)
    reporter.progress("ISPyB proposals", len(graph.proposals), len(graph.proposals))
    return created


async def load_scicat(api: ScicatApi, records: sc.SciCatPayloads, reporter: Reporter) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    instrument_pids: dict[str, str] = {}

    async def instrument(payload: sc.Instrument) -> bool:
        instrument_pids[payload.pid], created = await api.ensure_instrument(payload.body())
        return created

    tallies["instruments"] = await _each("instruments", records.instruments, instrument, reporter)
    tallies["proposals"] = await _each(
        "proposals", records.proposals, lambda p: api.ensure_proposal(_relink(p.body(), instrument_pids)), reporter
    )
    samples = Tally()
    for level in _sample_levels(records.samples):
        level_tally = await _each("samples", level, lambda s: api.ensure_sample(s.body()), reporter)
        samples.created += level_tally.created
        samples.existing += level_tally.existing
    tallies["samples"] = samples
    new_datasets: set[str] = set()

    async def dataset(payload: sc.RawDataset | sc.DerivedDataset) -> bool:
        created = await api.ensure_dataset(_relink(payload.body(), instrument_pids))
        if created:
            new_datasets.add(payload.pid)
        return created

    tallies["raw datasets"] = await _each("raw datasets", records.raw_datasets, dataset, reporter)
    tallies["derived datasets"] = await _each("derived datasets", records.derived_datasets, dataset, reporter)
    tallies["origdatablocks"] = await _each(
        "origdatablocks",
        records.origdatablocks,
        lambda b: api.ensure_origdatablock(b.datasetId, b.body(), dataset_is_new=b.datasetId in new_datasets),
        reporter,
    )
    tallies["attachments"] = await _each(
        "attachments", records.attachments, lambda a: api.ensure_attachment(a.body()), reporter
    )
    return tallies


def _relink(body: dict[str, Any], instrument_pids: dict[str, str]) -> dict[str, Any]:
    """Point at the instrument pids the backend really has (an existing instrument keeps its own)."""
    if "instrumentId" in body:
        body["instrumentId"] = instrument_pids.get(body["instrumentId"], body["instrumentId"])
    if "instrumentIds" in body:
        body["instrumentIds"] = [instrument_pids.get(i, i) for i in body["instrumentIds"]]
    for period in body.get("MeasurementPeriodList", []):
        period["instrument"] = instrument_pids.get(period["instrument"], period["instrument"])
    return body


def _sample_levels(samples: Sequence[sc.Sample]) -> list[list[sc.Sample]]:
    """Samples grouped so every parent is created in an earlier group than its children."""
    depth: dict[str, int] = {}
    by_id = {s.sampleId: s for s in samples}

    def level(sample: sc.Sample) -> int:
        if sample.sampleId not in depth:
            parent = by_id.get(sample.parentSampleId or "")
            depth[sample.sampleId] = 0 if parent is None else level(parent) + 1
        return depth[sample.sampleId]

    levels: dict[int, list[sc.Sample]] = {}
    for sample in samples:
        levels.setdefault(level(sample), []).append(sample)
    return [levels[key] for key in sorted(levels)]
