"""``seed``: generate a facility, load it into ISPyB, map it into SciCat — one proposal at a time.

Proposals are generated lazily and a few are in flight at once, so memory stays flat
however large the recipe. Each is loaded into ISPyB (when the target has one) and, mapped,
into SciCat side by side: the mapping reads the generated graph, not ISPyB's answer, and
the two loads keep different processes busy. Everything is idempotent: the same recipe
gives the same ids, so seeding again creates nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from scicatlive.asyncrun import first_error, gather, made_in_thread, run_sync
from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients import scicat as scicat_api
from scicatlive.clients.http import AsyncSession, RetryPolicy
from scicatlive.clients.target import Target
from scicatlive.defaults import DEFAULT_ACCOUNT
from scicatlive.domain import model as m
from scicatlive.errors import ConfigError
from scicatlive.mapping import (
    MappingOptions,
    ProposalRecords,
    SampleLayout,
    map_facility,
    map_proposal,
)
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.seeding.generator import generate_stream
from scicatlive.seeding.ispyb_load import IspybLoader
from scicatlive.seeding.load import ScicatLoader, Tally
from scicatlive.seeding.recipe import Recipe, load_recipe

ISPYB_CONCURRENCY = 4  # the mock serves from a small worker pool
PROPOSALS_IN_FLIGHT = 4
PROPOSALS_MADE_AHEAD = 2


@dataclass
class SeedReport:
    recipe: str
    seconds: float = 0.0
    ispyb_rows: dict[str, int] = field(default_factory=dict)
    scicat: dict[str, Tally] = field(default_factory=dict)
    source: str = "api"  # or "seed cache": restored from a snapshot of the same seed

    def as_dict(self) -> dict[str, object]:
        return {"recipe": self.recipe, "seconds": round(self.seconds, 2), "source": self.source,
                "ispyb_rows_created": self.ispyb_rows,
                "scicat": {kind: dataclasses.asdict(tally) for kind, tally in self.scicat.items()}}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SeedReport:
        return cls(
            recipe=str(data["recipe"]), seconds=float(data.get("seconds", 0.0)),
            ispyb_rows={k: int(v) for k, v in data.get("ispyb_rows_created", {}).items()},
            scicat={k: Tally(**v) for k, v in data.get("scicat", {}).items()},
            source=str(data.get("source", "api")),
        )  # fmt: skip


def account_password(target: Target, account: str) -> str:
    try:
        return target.password(account)
    except KeyError:
        known = ", ".join(target.accounts) or "none"
        raise ConfigError("--account", f"no credentials for account {account!r}; known: {known}") from None


def seed(target: Target, recipe: str | Path | Recipe, **options: Any) -> SeedReport:
    """Generate the recipe's facility and load it; safe to run again. Options: :func:`seed_async`."""
    return run_sync(seed_async(target, recipe, **options))


async def seed_async(
    target: Target,
    recipe: str | Path | Recipe,
    *,
    account: str = DEFAULT_ACCOUNT,
    sample_layout: SampleLayout | None = None,
    concurrency: int = 16,
    reporter: Reporter | None = None,
    retry: RetryPolicy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SeedReport:
    reporter = reporter or SilentReporter()
    loaded = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    password = account_password(target, account)
    started = time.monotonic()
    report = SeedReport(recipe=loaded.name or str(recipe))
    reporter.step(f"seed the {report.recipe!r} facility")
    options = loaded.mapping_options(pid_prefix=target.seeding_pid_prefix, sample_layout=sample_layout)
    stream = generate_stream(loaded)
    async with AsyncSession(
        target.backend_url, service=scicat_api.SERVICE, concurrency=concurrency, retry=retry, transport=transport
    ) as scicat:
        await scicat.login(scicat_api.login(account, password))
        loader = ScicatLoader(scicat, reporter)
        await loader.instruments(map_facility(stream.facility, options))
        ispyb = await _ispyb_loader(target, account, password, stream.facility, retry, transport)
        try:
            await _load_proposals(stream.proposals, stream.count, stream.facility, options, loader, ispyb, reporter)
        finally:
            if ispyb is not None:
                await ispyb.session.aclose()
    report.scicat = loader.tallies
    report.ispyb_rows = ispyb.rows_created if ispyb is not None else {}
    report.seconds = time.monotonic() - started
    return report


async def _ispyb_loader(
    target: Target, account: str, password: str, facility: m.FacilityGraph,
    retry: RetryPolicy | None, transport: httpx.AsyncBaseTransport | None,
) -> IspybLoader | None:  # fmt: skip
    if target.ispyb_url is None:
        return None
    session = AsyncSession(
        target.ispyb_url, service=ispyb_api.SERVICE, concurrency=ISPYB_CONCURRENCY, retry=retry, transport=transport
    )
    try:
        await session.login(ispyb_api.login(account, password))
    except BaseException:
        await session.aclose()
        raise
    return IspybLoader(session, facility)


async def _load_proposals(
    proposals: Any, count: int, facility: m.FacilityGraph, options: MappingOptions,
    loader: ScicatLoader, ispyb: IspybLoader | None, reporter: Reporter,
) -> None:  # fmt: skip
    """Generate, then load into ISPyB and (mapped) into SciCat, a bounded number of proposals at once."""
    slots = asyncio.Semaphore(PROPOSALS_IN_FLIGHT)
    done = 0
    reporter.progress("proposals", 0, count)

    def prepared(proposal: m.Proposal) -> _Prepared:
        body = None if ispyb is None else ispyb.body_of(proposal)
        return _Prepared(proposal, map_proposal(facility, options, proposal), body)

    async def one(ready: _Prepared) -> None:
        nonlocal done
        try:
            records = loader.batch(ready.records)
            await (records if ispyb is None else gather([ispyb.load(ready.proposal, ready.ispyb_body), records]))
            done += 1
            reporter.progress("proposals", done, count)
        finally:
            slots.release()

    # Generated on demand (only those in flight, or made ahead, are in memory), in a thread of
    # their own: generating and mapping in the event loop paused every request in flight.
    made = made_in_thread(proposals, prepared, ahead=PROPOSALS_MADE_AHEAD)
    try:
        async with aclosing(made), asyncio.TaskGroup() as group:
            async for ready in made:
                await slots.acquire()
                group.create_task(one(ready))
    except BaseExceptionGroup as failures:
        raise first_error(failures) from None


@dataclass
class _Prepared:
    proposal: m.Proposal
    records: ProposalRecords
    ispyb_body: dict[str, Any] | None
