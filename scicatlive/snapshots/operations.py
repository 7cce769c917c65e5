"""Save a running stack's data as a snapshot, and restore one into a running stack atomically.

Restore refuses a snapshot whose images do not match the stack's (the data services and the
services whose schema lives in them), names the difference, and touches nothing then. It
stages every dump beside the live data first (all data services side by side); only when
every dump is staged does it swap the data in, stopping the services that use a database
whose swap needs it (PostgreSQL's rename, MongoDB's drop) and starting them again after. A
failure before the swap leaves the old data as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scicatlive import __version__
from scicatlive.engine import ContainerState, Engine
from scicatlive.errors import StackError
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.runtime.host_probe import confirmed, wait_for_endpoints
from scicatlive.snapshots.databases import DATA_SERVICES, PREVIOUS, STAGING, DataService, Place
from scicatlive.snapshots.store import (
    DataDump,
    Manifest,
    check_name,
    now,
    read_manifest,
    write_manifest,
    writing,
)
from scicatlive.stack.resolve import ResolvedStack

RESTART_SECONDS = 120.0


@dataclass(frozen=True)
class Running:
    """The stack's containers, by service."""

    stack: ResolvedStack
    containers: dict[str, ContainerState]

    @classmethod
    def of(cls, stack: ResolvedStack, engine: Engine) -> Running:
        states = {s.service: s for s in engine.containers(stack.project)}
        down = [name for name in stack.services if name not in states or states[name].state != "running"]
        if down:
            raise StackError(f"stack {stack.name!r} is not running ({', '.join(down)} not up)",
                             hint=f"start it first: `scicatlive up --stack {stack.name} --no-seed`")  # fmt: skip
        return cls(stack, states)

    def data(self) -> dict[str, tuple[DataService, Place]]:
        """Each data service of the stack, and where its database is."""
        found = {name: DATA_SERVICES[name] for name in self.stack.services if name in DATA_SERVICES}
        if not found:
            raise StackError(f"stack {self.stack.name!r} holds no data service to snapshot (postgres, mariadb, mongo)")
        return {name: (database, database.place(self.containers[name])) for name, database in found.items()}


def _data_users(stack: ResolvedStack) -> list[str]:
    """The services that use a data service (and own its schema): they decide a snapshot's fit."""
    return [s.name for s in stack.services.values() if s.name not in DATA_SERVICES
            and any(d in DATA_SERVICES for d in s.depends_on)]  # fmt: skip


def _restarted_by_swap(stack: ResolvedStack) -> list[str]:
    """The services a swap stops and starts again: those that use a database whose swap needs it
    (see ``DataService.swap_restarts_users``), and every service that talks to those (a frontend
    would otherwise go on answering from its backend's outage). The others, such as ispyb-mock on
    MariaDB, keep running."""
    needing = {name for name, data in DATA_SERVICES.items() if data.swap_restarts_users}
    restarted: set[str] = set()
    while True:
        more = {s.name for s in stack.services.values() if s.name not in DATA_SERVICES and s.name not in restarted
                and any(d in needing | restarted for d in s.depends_on)}  # fmt: skip
        if not more:
            return [name for name in stack.services if name in restarted]  # the profile's order
        restarted |= more


def schema_images(stack: ResolvedStack, engine: Engine) -> dict[str, str]:
    """The images a snapshot must match: its data services and the services that own their schema."""
    relevant = [name for name in stack.services if name in DATA_SERVICES] + _data_users(stack)
    return {name: f"{stack.services[name].image}@{_image_id(engine, stack.services[name].image)}" for name in relevant}


def _image_id(engine: Engine, image: str) -> str:
    return engine.cli("image", "inspect", "--format", "{{.Id}}", image, action=f"reading image {image}").strip()


def save(
    stack: ResolvedStack,
    engine: Engine,
    name: str,
    root: Path,
    *,
    recipe: str | None = None,
    seed_report: dict[str, Any] | None = None,
    replace: bool = False,
    reporter: Reporter | None = None,
    images: dict[str, str] | None = None,
) -> Manifest:
    """Dump every data service of the running stack. ``images``: its schema images, when the
    caller has just read them."""
    reporter = reporter or SilentReporter()
    running = Running.of(stack, engine)
    with writing(root, check_name(name), replace=replace) as folder:
        dumps = []
        for service, (database, place) in running.data().items():
            reporter.step(f"dump {service} ({database.kind})")
            path = folder / database.file_name
            database.compact(engine, place)
            counts = database.counts(engine, place)
            database.dump(engine, place, path)
            dumps.append(DataDump(service=service, kind=database.kind, file=database.file_name,
                                  bytes=path.stat().st_size, counts=counts))  # fmt: skip
        manifest = Manifest(
            name=name, created=now(), scicatlive_version=__version__, stack=stack.name,
            profile=str(stack.profile.source), images=images or schema_images(stack, engine), recipe=recipe,
            data=dumps, seed_report=seed_report,
        )  # fmt: skip
        write_manifest(folder, manifest)
    return manifest


def mismatch(manifest: Manifest, stack: ResolvedStack, images: dict[str, str]) -> str | None:
    """Why the snapshot does not fit the stack (whose schema images are ``images``), or None."""
    saved = {d.service for d in manifest.data}
    wanted = {name for name in stack.services if name in DATA_SERVICES}
    if saved != wanted:
        return f"it holds data of {', '.join(sorted(saved)) or 'nothing'}, the stack has {', '.join(sorted(wanted))}"
    differ = [
        f"{service}: snapshot {manifest.images.get(service, 'none')}, stack {image}"
        for service, image in images.items()
        if manifest.images.get(service) != image
    ]
    if differ:
        return "its images differ (the schema may too): " + "; ".join(differ)
    return None


def restore(
    stack: ResolvedStack,
    engine: Engine,
    folder: Path,
    *,
    reporter: Reporter | None = None,
    images: dict[str, str] | None = None,
) -> Manifest:
    """Stage every dump, stop the services that use the data, swap, start them, wait for health.

    ``images``: the stack's schema images, when the caller has just read them.
    """
    reporter = reporter or SilentReporter()
    manifest = read_manifest(folder)
    running = Running.of(stack, engine)
    reason = mismatch(manifest, stack, images or schema_images(stack, engine))
    if reason:
        raise StackError(f"snapshot {manifest.name!r} does not fit stack {stack.name!r}: {reason}",
                         hint="restore it into a stack of the same profile and images, or seed this one")  # fmt: skip
    data = running.data()
    reporter.step(f"stage {', '.join(d.service for d in manifest.data)} from {manifest.name}")
    staged = _each(data, lambda database, place, dump: database.stage(engine, place, folder / dump.file), manifest)
    failed = [error for error in staged.values() if error is not None]
    if failed:
        _each(data, lambda database, place, _: database.discard(engine, place, STAGING), manifest)
        raise failed[0]
    services = _restarted_by_swap(stack)
    restarted = [running.containers[name].name for name in services]
    reporter.step(f"swap the data in ({', '.join(data)}); restart {', '.join(services) or 'nothing'}")
    if restarted:
        engine.cli("stop", *restarted, action="stopping the services that use the data")
    try:
        # The swaps that can wait on the running services' locks (and fail) go first.
        for database, place in sorted(data.values(), key=lambda pair: pair[0].swap_restarts_users):
            database.swap(engine, place)
    finally:
        if restarted:
            engine.cli("start", *restarted, action="starting the services that use the data")
    _wait_healthy(stack, engine, list(stack.services))
    _each(data, lambda database, place, _: database.discard(engine, place, PREVIOUS), manifest)
    return manifest


def _each(
    data: dict[str, tuple[DataService, Place]], work: Callable[[DataService, Place, DataDump], None], manifest: Manifest
) -> dict[str, BaseException | None]:
    """``work`` for every data service of the snapshot, side by side (each is its own server)."""
    dumps = {dump.service: dump for dump in manifest.data}

    def attempt(service: str) -> BaseException | None:
        database, place = data[service]
        try:
            work(database, place, dumps[service])
        except BaseException as error:  # noqa: BLE001 -- collected, and the first is raised by the caller
            return error
        return None

    with ThreadPoolExecutor(max_workers=len(dumps) or 1) as pool:
        return dict(zip(dumps, pool.map(attempt, dumps), strict=True))


def _wait_healthy(stack: ResolvedStack, engine: Engine, services: list[str]) -> None:
    deadline = time.monotonic() + RESTART_SECONDS
    while True:
        containers = confirmed(engine.containers(stack.project), engine)
        states = {s.service: s for s in containers}
        waiting = [n for n in services if n not in states or states[n].state != "running"
                   or states[n].health not in (None, "healthy")]  # fmt: skip
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise StackError(f"after the restore, {', '.join(waiting)} did not become healthy within {RESTART_SECONDS:.0f} s",
                             hint=f"`scicatlive logs {waiting[0]}` says why")  # fmt: skip
        # Each read of the containers runs the Docker CLI twice, beside a starting backend.
        wait_for_endpoints(engine, containers, services, 0.5)
