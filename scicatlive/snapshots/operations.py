"""Save a running stack's data as a snapshot, and restore one into a running stack atomically.

Restore refuses a snapshot whose images do not match the stack's (the data services and the
services whose schema lives in them), names the difference, and touches nothing then. It
stages every dump beside the live data first; only when every dump is staged does it stop
the stack's other services, swap the data in and start them again. A failure before the
swap leaves the old data as it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scicatlive import __version__
from scicatlive.engine import Engine, docker_errors
from scicatlive.errors import StackError
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.snapshots.databases import DATA_SERVICES, PREVIOUS, STAGING, DataService
from scicatlive.snapshots.store import (
    DataDump,
    Manifest,
    check_name,
    now,
    read_manifest,
    write_manifest,
    writing,
)
from scicatlive.stack.record import StackPaths
from scicatlive.stack.resolve import ResolvedStack

RESTART_SECONDS = 120.0


@dataclass(frozen=True)
class Running:
    """The stack's containers, by service."""

    stack: ResolvedStack
    containers: dict[str, str]

    @classmethod
    def of(cls, stack: ResolvedStack, engine: Engine) -> Running:
        states = {s.service: s for s in engine.containers(stack.project)}
        down = [name for name in stack.services if name not in states or states[name].state != "running"]
        if down:
            raise StackError(f"stack {stack.name!r} is not running ({', '.join(down)} not up)",
                             hint=f"start it first: `scicatlive up --stack {stack.name} --no-seed`")  # fmt: skip
        return cls(stack, {name: state.name for name, state in states.items()})

    def data(self) -> dict[str, DataService]:
        found = {name: DATA_SERVICES[name] for name in self.stack.services if name in DATA_SERVICES}
        if not found:
            raise StackError(f"stack {self.stack.name!r} holds no data service to snapshot (postgres, mariadb, mongo)")
        return found


def schema_images(stack: ResolvedStack, engine: Engine) -> dict[str, str]:
    """The images a snapshot must match: its data services and the services that own their schema."""
    relevant = [
        s for s in stack.services.values()
        if s.name in DATA_SERVICES or any(d in DATA_SERVICES for d in s.depends_on)
    ]  # fmt: skip
    return {s.name: f"{s.image}@{_image_id(engine, s.image)}" for s in relevant}


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
) -> Manifest:
    reporter = reporter or SilentReporter()
    running = Running.of(stack, engine)
    with writing(root, check_name(name), replace=replace) as folder:
        dumps = []
        for service, database in running.data().items():
            reporter.step(f"dump {service} ({database.kind})")
            container = running.containers[service]
            path = folder / database.file_name
            counts = database.counts(engine, container)
            database.dump(engine, container, path)
            dumps.append(DataDump(service=service, kind=database.kind, file=database.file_name,
                                  bytes=path.stat().st_size, counts=counts))  # fmt: skip
        manifest = Manifest(
            name=name, created=now(), scicatlive_version=__version__, stack=stack.name,
            profile=str(stack.profile.source), images=schema_images(stack, engine), recipe=recipe,
            data=dumps, seed_report=seed_report,
        )  # fmt: skip
        write_manifest(folder, manifest)
    return manifest


def mismatch(manifest: Manifest, stack: ResolvedStack, engine: Engine) -> str | None:
    """Why the snapshot does not fit the stack, or None when it does."""
    current = schema_images(stack, engine)
    saved = {d.service for d in manifest.data}
    wanted = {name for name in stack.services if name in DATA_SERVICES}
    if saved != wanted:
        return f"it holds data of {', '.join(sorted(saved)) or 'nothing'}, the stack has {', '.join(sorted(wanted))}"
    differ = [
        f"{service}: snapshot {manifest.images.get(service, 'none')}, stack {image}"
        for service, image in current.items()
        if manifest.images.get(service) != image
    ]
    if differ:
        return "its images differ (the schema may too): " + "; ".join(differ)
    return None


def restore(stack: ResolvedStack, engine: Engine, folder: Path, *, reporter: Reporter | None = None) -> Manifest:
    reporter = reporter or SilentReporter()
    manifest = read_manifest(folder)
    running = Running.of(stack, engine)
    reason = mismatch(manifest, stack, engine)
    if reason:
        raise StackError(f"snapshot {manifest.name!r} does not fit stack {stack.name!r}: {reason}",
                         hint="restore it into a stack of the same profile and images, or seed this one")  # fmt: skip
    data = running.data()
    attempted: list[str] = []
    try:
        for dump in manifest.data:
            reporter.step(f"stage {dump.service} from {manifest.name}")
            attempted.append(dump.service)
            data[dump.service].stage(engine, running.containers[dump.service], folder / dump.file)
    except BaseException:
        for service in attempted:
            data[service].discard(engine, running.containers[service], STAGING)
        raise
    others = [name for name in stack.services if name not in data]
    reporter.step(f"swap the data in ({', '.join(data)}); restart {', '.join(others)}")
    _compose(stack, engine, "stop", others)
    try:
        for service, database in data.items():
            database.swap(engine, running.containers[service])
    finally:
        _compose(stack, engine, "start", others)
    _wait_healthy(stack, engine, others)
    for service, database in data.items():
        database.discard(engine, running.containers[service], PREVIOUS)
    return manifest


def _compose(stack: ResolvedStack, engine: Engine, action: str, services: list[str]) -> None:
    if not services:
        return
    client = engine.client(project=stack.project, compose_file=StackPaths.for_stack(stack.name).compose_file)
    with docker_errors(f"{action} {', '.join(services)}"):
        getattr(client.compose, action)(services)


def _wait_healthy(stack: ResolvedStack, engine: Engine, services: list[str]) -> None:
    deadline = time.monotonic() + RESTART_SECONDS
    while True:
        states = {s.service: s for s in engine.containers(stack.project)}
        waiting = [n for n in services if n not in states or states[n].state != "running"
                   or states[n].health not in (None, "healthy")]  # fmt: skip
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise StackError(f"after the restore, {', '.join(waiting)} did not become healthy within {RESTART_SECONDS:.0f} s",
                             hint=f"`scicatlive logs {waiting[0]}` says why")  # fmt: skip
        time.sleep(0.25)
