"""`scicatlive sync`: map what ISPyB holds into SciCat again, without generating anything.

``seed`` = generate → ISPyB → map → SciCat. ``sync`` is its second half fed
from ISPyB itself: read the facility back through ISPyB's API
(``scicatlive.seeding.ispyb_reader``), map it with the same ``map_graph`` and load
it with the same idempotent ``load_scicat``. Ids and pids come from natural keys,
so after ``seed`` a ``sync`` finds every record already there, and after new data
reached ISPyB it creates exactly the records for them. Nothing is ever updated
or deleted in SciCat (an existing record keeps its values), and nothing is
written to ISPyB.
"""

from __future__ import annotations

import time
from typing import Any

from scicatlive.asyncrun import run_sync
from scicatlive.clients.http import AsyncApi, RetryPolicy
from scicatlive.clients.ispyb import IspybApi
from scicatlive.clients.scicat import ScicatApi
from scicatlive.errors import ConfigError
from scicatlive.mapping import MappingOptions, map_graph
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.seeding.ispyb_reader import FacilityFacts, read_facility
from scicatlive.seeding.load import load_scicat
from scicatlive.domain.model import FacilityGraph
from scicatlive.mapping import SampleLayout
from scicatlive.seeding.run import DEFAULT_ACCOUNT, SeedReport, SeedTarget, stack_target
from scicatlive.stack.load import reload_stack

REPORT_NAME = "sync"
ISPYB_CONCURRENCY = 4  # as seed: the mock serves from a small worker pool


def sync(target: SeedTarget, **options: Any) -> SeedReport:
    """Read ISPyB, map it and load SciCat; safe to run again (nothing is duplicated).

    ``facility`` must name the site ``seed`` used (default: ``SCICATLIVE``, the
    bundled recipes' and profiles' site); ``sample_layout`` defaults to
    ``hierarchical``, the bundled recipes' layout. ``retry`` is the HTTP retry
    policy of both services.
    """
    return run_sync(sync_async(target, **options))


async def sync_async(
    target: SeedTarget,
    *,
    sample_layout: SampleLayout | None = None,
    concurrency: int = 16,
    reporter: Reporter | None = None,
    facility: FacilityFacts | None = None,
    retry: RetryPolicy | None = None,
) -> SeedReport:
    reporter = reporter or SilentReporter()
    started = time.monotonic()
    report = SeedReport(recipe=REPORT_NAME)
    graph = await read_ispyb(
        target, facility or FacilityFacts(), reporter, concurrency=concurrency, retry=retry
    )
    options = MappingOptions(
        pid_prefix=target.pid_prefix, sample_layout=sample_layout or "hierarchical"
    )
    records = map_graph(graph, options)
    async with AsyncApi(target.scicat.url, concurrency=concurrency, retry=retry) as http:
        scicat = ScicatApi(http)
        await scicat.login(target.scicat.username, target.scicat.password)
        report.scicat = await load_scicat(scicat, records, reporter)
    report.seconds = time.monotonic() - started
    return report


async def read_ispyb(
    target: SeedTarget,
    facility: FacilityFacts,
    reporter: Reporter,
    *,
    concurrency: int = 16,
    retry: RetryPolicy | None = None,
) -> FacilityGraph:
    """The facility graph of the target's ISPyB (its account needs ``all_proposals``)."""
    if target.ispyb is None:
        raise ConfigError("--ispyb-url", "sync reads ISPyB, but no ISPyB was given")
    reporter.step(f"read ISPyB at {target.ispyb.url}")
    async with AsyncApi(
        target.ispyb.url, concurrency=min(concurrency, ISPYB_CONCURRENCY), retry=retry
    ) as http:
        ispyb = IspybApi(http)
        await ispyb.login(target.ispyb.username, target.ispyb.password)
        return await read_facility(ispyb, facility, reporter)


def sync_stack(stack: str, *, account: str = DEFAULT_ACCOUNT, **options: Any) -> SeedReport:
    """Sync a stack started here; its facility site is the profile's ``stack.site``.

    Options are those of :func:`sync`.
    """
    options.setdefault("facility", FacilityFacts(site=reload_stack(stack).settings.site))
    return sync(stack_target(stack, account), **options)
