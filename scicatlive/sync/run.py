"""``sync``: map what ISPyB holds into SciCat again, without generating anything.

``seed`` is generate → ISPyB → map → SciCat. ``sync`` is its second half fed from
ISPyB itself: read the facility back through ISPyB's API (:mod:`.rows`, :mod:`.graph`),
map it with the same ``map_graph`` and load it with the same idempotent loader. Ids and
pids come from natural keys, so after ``seed`` a ``sync`` finds every record already
there, and after new data reached ISPyB it creates exactly the records for them.
Nothing is ever updated or deleted in SciCat, and nothing is written to ISPyB.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from scicatlive.asyncrun import run_sync
from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients import scicat as scicat_api
from scicatlive.clients.http import AsyncSession, RetryPolicy
from scicatlive.clients.target import Target
from scicatlive.defaults import DEFAULT_ACCOUNT
from scicatlive.domain import model as m
from scicatlive.errors import ConfigError
from scicatlive.mapping import MappingOptions, SampleLayout, map_graph
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.seeding.load import ScicatLoader
from scicatlive.seeding.run import ISPYB_CONCURRENCY, SeedReport, account_password
from scicatlive.sync.beamlines import beamline_names, read_references
from scicatlive.sync.facts import FacilityFacts
from scicatlive.sync.graph import build_graph
from scicatlive.sync.rows import Selector, read_rows

REPORT_NAME = "sync"


def sync(target: Target, **options: Any) -> SeedReport:
    """Read ISPyB, map it and load SciCat; safe to run again. Options: :func:`sync_async`."""
    return run_sync(sync_async(target, **options))


async def sync_async(
    target: Target,
    *,
    account: str = DEFAULT_ACCOUNT,
    sample_layout: SampleLayout | None = None,
    concurrency: int = 16,
    reporter: Reporter | None = None,
    facility: FacilityFacts | None = None,
    retry: RetryPolicy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> SeedReport:
    """``facility`` must name the site ``seed`` used (default: the target's site)."""
    reporter = reporter or SilentReporter()
    started = time.monotonic()
    report = SeedReport(recipe=REPORT_NAME)
    facts = facility or FacilityFacts(site=target.site)
    graph = await read_facility(target, facts, reporter, account=account, retry=retry, transport=transport)
    options = MappingOptions(pid_prefix=target.seeding_pid_prefix, sample_layout=sample_layout or "hierarchical")
    records = map_graph(graph, options)
    password = account_password(target, account)
    async with AsyncSession(
        target.backend_url, service=scicat_api.SERVICE, concurrency=concurrency, retry=retry, transport=transport
    ) as scicat:
        await scicat.login(scicat_api.login(account, password))
        loader = ScicatLoader(scicat, reporter)
        await loader.instruments(records.instruments)
        await loader.batch(records)
    report.scicat = loader.tallies
    report.seconds = time.monotonic() - started
    return report


async def read_facility(
    target: Target,
    facts: FacilityFacts,
    reporter: Reporter | None = None,
    *,
    account: str = DEFAULT_ACCOUNT,
    retry: RetryPolicy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    select: Selector | None = None,
) -> m.FacilityGraph:
    """The facility the target's ISPyB holds, as the generator would have described it.

    The account needs ``all_proposals``; ``select`` picks the proposals to read (all by default).
    """
    reporter = reporter or SilentReporter()
    if target.ispyb_url is None:
        raise ConfigError("--ispyb-url", "sync reads ISPyB, but no ISPyB was given")
    reporter.step(f"read ISPyB at {target.ispyb_url}")
    password = account_password(target, account)
    async with AsyncSession(
        target.ispyb_url, service=ispyb_api.SERVICE, concurrency=ISPYB_CONCURRENCY, retry=retry, transport=transport
    ) as ispyb:
        await ispyb.login(ispyb_api.login(account, password))
        rows = await read_rows(ispyb, reporter, select)
        references = await read_references(ispyb, beamline_names(rows))
    return build_graph(rows, facts, reporter, references)
