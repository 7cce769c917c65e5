"""Start, stop, inspect and tail a stack on a real Docker engine.

``up`` makes sure every image is there, checks the host ports, and runs ``compose up``
(python-on-whales) while it watches the containers to report each service's state as it
changes and to stop early when one fails. It returns when every service is healthy: by
Docker's probe, or by the service's health endpoint asked from this machine while Docker has
not probed it yet (``runtime/host_probe.py``). If it fails, it tears down what it started
(unless asked to keep it) and reports the failing service's last log lines.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scicatlive.engine import ContainerState, Engine, default_engine, docker_errors
from scicatlive.errors import StackError
from scicatlive.names import project_name
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.runtime.host_probe import confirmed, wait_for_endpoints
from scicatlive.runtime.status import ServiceStatus
from scicatlive.stack.record import StackPaths, forget_stack

if TYPE_CHECKING:
    from python_on_whales import DockerClient

    from scicatlive.stack.resolve import ResolvedStack

LOG_TAIL_LINES = 25
# Every read of the containers runs the Docker CLI twice, and each run costs CPU that the
# starting services need: reading them every 0.25 s made `up` of the lite stack ~1.5 s slower.
# In between, only the health endpoints of the services that wait for them are asked, which
# costs the starting services one small HTTP answer each.
_POLL_SECONDS = 2.0


@dataclass
class UpResult:
    stack: str
    project: str
    fresh: bool = False  # nothing of the project existed: its data volumes are new
    containers: list[ContainerState] = field(default_factory=list)  # as the engine saw them, all ready
    seconds: float = 0.0


def up(
    stack: ResolvedStack,
    compose_file: Path,
    *,
    engine: Engine | None = None,
    reporter: Reporter | None = None,
    keep: bool = False,
    rebuild: bool = False,
    timeout: float | None = None,
) -> UpResult:
    engine = engine or default_engine()
    reporter = reporter or SilentReporter()
    started = time.monotonic()
    # `down`, `status` and `logs` need neither the image code nor the profile's models. The first
    # Docker call says it clearly when no engine answers (EngineUnreachable).
    from scicatlive.images.build import ensure_images
    from scicatlive.runtime.ports import check_ports

    ensure_images(engine, stack.services.values(), reporter, rebuild=rebuild, offline=stack.offline)
    existing = engine.containers(stack.project)
    fresh = not existing and not _has_volumes(engine, stack.project)
    check_ports(stack, held_by_stack={port for state in existing for port in state.host_ports})
    client = engine.client(project=stack.project, compose_file=compose_file)
    reporter.step(f"start {stack.project}")
    try:
        containers = _start_and_wait(engine, stack, client, reporter, timeout or stack.settings.wait_timeout)
    except BaseException:
        # Whatever went wrong, even a bug, must not leave a half-started stack.
        if not keep:
            reporter.step(f"tear down {stack.project}")
            _compose_down(engine, stack.project, compose_file, volumes=fresh)
        raise
    return UpResult(stack.name, stack.project, fresh, containers, seconds=time.monotonic() - started)


def _start_and_wait(
    engine: Engine, stack: ResolvedStack, client: DockerClient, reporter: Reporter, timeout: float
) -> list[ContainerState]:
    outcome: dict[str, BaseException] = {}

    def start() -> None:
        try:
            with docker_errors(f"starting {stack.project}"):
                client.compose.up(detach=True, no_build=True, remove_orphans=True, pull="never", quiet=True)
        except BaseException as exc:  # noqa: BLE001 -- handed to the waiting thread, which raises it
            outcome["error"] = exc

    starter = threading.Thread(target=start, name="compose-up", daemon=True)
    starter.start()
    deadline = time.monotonic() + timeout
    last: dict[str, str] = {}
    while True:
        starting = starter.is_alive()
        containers = confirmed(engine.containers(stack.project), engine)
        states = {s.service: ServiceStatus.of(s) for s in containers}
        for name in stack.services:
            label = states[name].label if name in states else "waiting"
            if last.get(name) != label:
                reporter.service(name, label)
                last[name] = label
        # While compose is still (re)creating containers, an old one may show as exited.
        failed = [] if starting else [s for s in states.values() if s.failed]
        if failed:
            raise _failure(engine, stack, failed[0].name, f"{failed[0].name} is {failed[0].label}")
        if not starting and "error" in outcome:
            # Compose gave up: name the service it gave up on, as the engine sees it now.
            broken = [s for s in states.values() if s.state == "restarting" or not s.ready]
            if broken:
                raise _failure(engine, stack, broken[0].name, f"{broken[0].name} is {broken[0].label}")
            raise _failure(engine, stack, _first_not_ready(stack, states), str(outcome["error"]))
        if not starting and all(name in states and states[name].ready for name in stack.services):
            return containers
        if time.monotonic() > deadline:
            culprit = _first_not_ready(stack, states)
            raise _failure(engine, stack, culprit, f"{culprit} was not healthy within {timeout:.0f} s")
        if starting:
            starter.join(_POLL_SECONDS)
        else:
            wait_for_endpoints(engine, containers, stack.services, _POLL_SECONDS)



def _first_not_ready(stack: ResolvedStack, states: dict[str, ServiceStatus]) -> str:
    return next((n for n in stack.services if n not in states or not states[n].ready), next(iter(stack.services)))


def _failure(engine: Engine, stack: ResolvedStack, service: str, reason: str) -> StackError:
    tail = service_logs(stack.name, service, engine=engine, tail=LOG_TAIL_LINES)
    shown = "\n".join(f"    {line}" for line in tail.strip().splitlines()[-LOG_TAIL_LINES:]) or "    (no output)"
    return StackError(
        f"stack {stack.name!r} did not come up: {reason}\n  last log lines of {service}:\n{shown}",
        hint="`scicatlive up --keep` leaves the containers for inspection; `scicatlive logs "
        f"{service}` shows more",
    )


def held_ports(engine: Engine, project: str) -> set[int]:
    """Host ports the project's own containers publish (theirs to reuse on `up`)."""
    return {port for state in engine.containers(project) for port in state.host_ports}


def _has_volumes(engine: Engine, project: str) -> bool:
    volumes = engine.cli("volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={project}",
                         action="listing volumes")  # fmt: skip
    return bool(volumes.strip())


def _compose_down(engine: Engine, project: str, compose_file: Path | None, *, volumes: bool) -> None:
    # Compose through the Docker CLI as python-on-whales runs it, without importing it (0.25 s
    # of a 2 s `down`): nothing here needs its models.
    engine.compose(project, compose_file, "down", "--remove-orphans", "--timeout", "10",
                   *(["--volumes"] if volumes else []), action="stopping the stack")  # fmt: skip


def down(name: str, *, engine: Engine | None = None, volumes: bool = False) -> None:
    """Stop and remove the stack's containers and network; ``volumes`` wipes its data too."""
    # Says it clearly when no engine answers (EngineUnreachable).
    _compose_down(engine or default_engine(), project_name(name), _compose_file(name), volumes=volumes)
    if volumes:
        # The databases were initialised with these secrets; they go together.
        forget_stack(name)


def service_logs(name: str, service: str | None, *, engine: Engine | None = None, tail: int | None = None) -> str:
    engine = engine or default_engine()
    client = engine.client(project=project_name(name), compose_file=_compose_file(name))
    with docker_errors("reading logs"):
        return str(client.compose.logs(services=[service] if service else [], tail=str(tail) if tail else None))


def follow_logs(name: str, service: str | None, *, engine: Engine | None = None) -> Iterator[str]:
    engine = engine or default_engine()
    client = engine.client(project=project_name(name), compose_file=_compose_file(name))
    with docker_errors("following logs"):
        for _, chunk in client.compose.logs(services=[service] if service else [], follow=True, stream=True):
            yield chunk.decode("utf-8", errors="replace")


def _compose_file(name: str) -> Path | None:
    path = StackPaths.for_stack(name).compose_file
    return path if path.is_file() else None
