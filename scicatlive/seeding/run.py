"""`scicatlive seed`: generate a facility, load it into ISPyB, map it into SciCat."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scicatlive.asyncrun import run_sync
from scicatlive.catalogue.model import Role
from scicatlive.clients.http import AsyncApi
from scicatlive.clients.ispyb import IspybApi
from scicatlive.clients.scicat import ScicatApi
from scicatlive.errors import ConfigError
from scicatlive.mapping import MappingOptions, map_graph
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.seeding.generate import generate
from scicatlive.seeding.load import Tally, load_ispyb, load_scicat
from scicatlive.seeding.recipe import Recipe, SampleLayout, load_recipe
from scicatlive.stack.load import credentials, reload_stack
from scicatlive.stack.resolve import ResolvedStack

DEFAULT_ACCOUNT = "admin"


@dataclass(frozen=True)
class Endpoint:
    url: str
    username: str
    password: str


@dataclass(frozen=True)
class SeedTarget:
    """Where to seed: any SciCat backend, and optionally an ISPyB mock."""

    scicat: Endpoint
    ispyb: Endpoint | None
    pid_prefix: str


@dataclass
class SeedReport:
    recipe: str
    seconds: float = 0.0
    ispyb_rows: dict[str, int] = field(default_factory=dict)
    scicat: dict[str, Tally] = field(default_factory=dict)


def stack_target(stack: str, account: str = DEFAULT_ACCOUNT) -> SeedTarget:
    """The seed target of a stack started here, logged in as one of its accounts."""
    resolved = reload_stack(stack)
    found = credentials(stack)
    passwords = {a.username: a.password for a in found.accounts}
    if account not in passwords:
        raise ConfigError("--account", f"stack {stack!r} has no account {account!r}; it has: {', '.join(passwords)}")
    backend = _url_of(resolved, Role.BACKEND)
    if backend is None:
        raise ConfigError(str(resolved.profile.source), "the profile has no SciCat backend to seed")
    ispyb_url = _url_of(resolved, Role.ISPYB)
    return SeedTarget(
        scicat=Endpoint(backend, account, passwords[account]),
        ispyb=Endpoint(ispyb_url, account, passwords[account]) if ispyb_url else None,
        pid_prefix=resolved.settings.pid_prefix,
    )


def _url_of(stack: ResolvedStack, role: Role) -> str | None:
    services = stack.by_role(role)
    return stack.public_url(services[0].name) if services else None


def seed(target: SeedTarget, recipe: str | Path | Recipe, **options: Any) -> SeedReport:
    """Generate the recipe's facility and load it; safe to run again (nothing is duplicated).

    Options are those of :func:`seed_async`.
    """
    return run_sync(seed_async(target, recipe, **options))


async def seed_async(
    target: SeedTarget,
    recipe: str | Path | Recipe,
    *,
    sample_layout: SampleLayout | None = None,
    concurrency: int = 16,
    reporter: Reporter | None = None,
) -> SeedReport:
    reporter = reporter or SilentReporter()
    loaded = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
    started = time.monotonic()
    report = SeedReport(recipe=loaded.name or str(recipe))
    reporter.step(f"generate the {report.recipe!r} facility")
    graph = generate(loaded)
    records = map_graph(graph, loaded.mapping_options(pid_prefix=target.pid_prefix, sample_layout=sample_layout))
    if target.ispyb is not None:
        async with AsyncApi(target.ispyb.url, concurrency=min(concurrency, 4)) as http:
            ispyb = IspybApi(http)
            await ispyb.login(target.ispyb.username, target.ispyb.password)
            report.ispyb_rows = await load_ispyb(ispyb, graph, reporter)
    async with AsyncApi(target.scicat.url, concurrency=concurrency) as http:
        scicat = ScicatApi(http)
        await scicat.login(target.scicat.username, target.scicat.password)
        report.scicat = await load_scicat(scicat, records, reporter)
    report.seconds = time.monotonic() - started
    return report


def seed_stack(stack: str, recipe: str | Path | Recipe, *, account: str = DEFAULT_ACCOUNT, **options: Any) -> SeedReport:
    """Seed a stack started here (the pytest plugin and `up --seed` use this)."""
    return seed(stack_target(stack, account), recipe, **options)
