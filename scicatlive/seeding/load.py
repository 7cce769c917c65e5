"""Load SciCat records idempotently, type by type in dependency order, concurrently within a type.

Records carry deterministic ids, a 409 means "already there", and a dataset gets
its origdatablock only once. Published data are looked up by their DOI first (upstream
answers a second create with a 500, not a 409), then created and registered as SciCat's
publish workflow does. The same loader serves ``seed`` (one proposal's
records at a time, as they are generated) and ``sync`` (everything read back from
ISPyB at once). A failure names the entity, its id and the server's message, and
stops the load.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from scicatlive.asyncrun import gather
from scicatlive.clients import scicat
from scicatlive.clients.http import AsyncSession
from scicatlive.mapping import payloads as sc
from scicatlive.progress import Reporter

T = TypeVar("T")
KINDS = (
    "instruments", "proposals", "samples", "raw datasets", "derived datasets", "origdatablocks", "attachments",
    "published data",
)  # fmt: skip


class RecordBatch(Protocol):
    """Records that reference only each other and instruments (a proposal's, or all of them)."""

    proposals: list[sc.Proposal]
    samples: list[sc.Sample]
    raw_datasets: list[sc.RawDataset]
    derived_datasets: list[sc.DerivedDataset]
    origdatablocks: list[sc.OrigDatablock]
    attachments: list[sc.Attachment]
    published_data: list[sc.PublishedData]


@dataclass
class Tally:
    created: int = 0
    existing: int = 0
    planned: int = 0

    @property
    def total(self) -> int:
        return self.created + self.existing


@dataclass
class ScicatLoader:
    """Writes records into one SciCat backend and counts what it created and found."""

    session: AsyncSession
    reporter: Reporter
    tallies: dict[str, Tally] = field(default_factory=lambda: {kind: Tally() for kind in KINDS})
    instrument_pids: dict[str, str] = field(default_factory=dict)

    async def instruments(self, instruments: Sequence[sc.Instrument]) -> None:
        async def one(payload: sc.Instrument) -> bool:
            pid = await self.session.run(scicat.create_instrument(payload.body()))
            if pid is not None:
                self.instrument_pids[payload.pid] = pid
                return True
            found = await self.session.run(scicat.find_instruments(payload.uniqueName))
            self.instrument_pids[payload.pid] = str(found[0]["pid"])
            return False

        await self._each("instruments", instruments, one)

    async def batch(self, records: RecordBatch) -> None:
        run = self.session.run
        await self._each("proposals", records.proposals, lambda p: run(scicat.create_proposal(self._relink(p.body()))))
        for level in sample_levels(records.samples):
            await self._each("samples", level, lambda s: run(scicat.create_sample(s.body())))
        new_datasets: set[str] = set()

        async def dataset(payload: sc.RawDataset | sc.DerivedDataset) -> bool:
            created = await run(scicat.create_dataset(self._relink(payload.body())))
            if created:
                new_datasets.add(payload.pid)
            return created

        await self._each("raw datasets", records.raw_datasets, dataset)
        await self._each("derived datasets", records.derived_datasets, dataset)

        async def origdatablock(block: sc.OrigDatablock) -> bool:
            if block.datasetId not in new_datasets and await run(scicat.dataset_origdatablocks(block.datasetId)):
                return False
            await run(scicat.create_origdatablock(block.datasetId, block.body()))
            return True

        await self._each("origdatablocks", records.origdatablocks, origdatablock)
        await self._each("attachments", records.attachments, lambda a: run(scicat.create_attachment(a.body())))
        await self._each("published data", records.published_data, self._published_data)

    async def _published_data(self, record: sc.PublishedData) -> bool:
        """Create (unless there) and register; True when this load created it."""
        run = self.session.run
        found = await run(scicat.find_published_data(record.doi))
        if found is None:
            await run(scicat.create_published_data(record.body()))
        registered = found is not None and found.get("status") == "registered"
        if not registered and not await run(scicat.register_published_data(record.doi)):
            # The backend has no DOI registration agency to reach (upstream outside PSI,
            # offline): the record is registered in the catalogue only, as a test DOI is.
            await run(scicat.mark_registered(record.doi, datetime.now(UTC).isoformat().replace("+00:00", "Z")))
        return found is None

    async def _each(self, kind: str, items: Sequence[T], action: Callable[[T], Awaitable[bool]]) -> None:
        """Run ``action`` on every item concurrently (the session bounds it); count new vs existing."""
        tally = self.tallies[kind]
        tally.planned += len(items)
        self.reporter.progress(kind, tally.total, tally.planned)

        async def one(item: T) -> None:
            if await action(item):
                tally.created += 1
            else:
                tally.existing += 1
            self.reporter.progress(kind, tally.total, tally.planned)

        await gather(one(item) for item in items)

    def _relink(self, body: dict[str, Any]) -> dict[str, Any]:
        """Point at the instrument pids the backend really has (an existing instrument keeps its own)."""
        pids = self.instrument_pids
        if "instrumentId" in body:
            body["instrumentId"] = pids.get(body["instrumentId"], body["instrumentId"])
        if "instrumentIds" in body:
            body["instrumentIds"] = [pids.get(i, i) for i in body["instrumentIds"]]
        for period in body.get("MeasurementPeriodList", []):
            period["instrument"] = pids.get(period["instrument"], period["instrument"])
        return body


def sample_levels(samples: Sequence[sc.Sample]) -> list[list[sc.Sample]]:
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
