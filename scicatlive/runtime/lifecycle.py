"""Start, stop, inspect and tail a stack on a real Docker engine.

``up`` prepares the state, makes sure every image is there, checks the host
ports, starts compose and waits until each service is healthy, reporting per
service. If it fails, it tears down what it started (unless asked to keep it)
and reports the failing service's last log lines.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from pathlib import Path

from python_on_whales import Container, DockerClient

from scicatlive.errors import StackError
from scicatlive.images.build import ensure_images
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.rendering.compose import render_compose
from scicatlive.runtime.engine import Engine, default_engine, docker_errors
from scicatlive.runtime.ports import check_ports
from scicatlive.stack.files import write_private
from scicatlive.stack.load import reload_stack
from scicatlive.stack.resolve import ResolvedStack, project_name
from scicatlive.stack.state import StackPaths, forget_stack, prepare_stack, read_record, write_record

COMPOSE_SERVICE_LABEL = "com.docker.compose.service"
COMPOSE_PROJECT_LABEL = "com.docker.compose.project"
LOG_TAIL_LINES = 25
_POLL_SECONDS = 0.5
_MAX_RESTARTS = 3


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: str
    health: str | None
    image: str
    host_ports: tuple[int, ...] = ()
    urls: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return self.state == "running" and self.health in (None, "healthy")

    @property
    def failed(self) -> bool:
        return self.state in ("exited", "dead") or self.health == "unhealthy"


@dataclass
class UpResult:
    stack: str
    project: str
    services: list[ServiceStatus] = field(default_factory=list)
    seconds: float = 0.0


def write_stack_files(stack: ResolvedStack) -> StackPaths:
    """Prepare secrets and generated files, and write compose.yaml; returns the paths."""
    prepared = prepare_stack(stack)
    document = render_compose(prepared)
    write_private(prepared.paths.compose_file, document.to_yaml())
    write_record(stack, prepared.paths)
    return prepared.paths


def up(
    stack: ResolvedStack,
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
    engine.ensure_reachable()
    paths = write_stack_files(stack)
    ensure_images(engine, stack, reporter, rebuild=rebuild)
    fresh = not _project_has_anything(engine, stack.project)
    check_ports(stack, held_by_stack=held_ports(engine, stack.project))
    client = engine.client(project=stack.project, compose_file=paths.compose_file)
    reporter.step(f"start {stack.project}")
    try:
        _start_and_wait(engine, stack, client, reporter, timeout or stack.settings.wait_timeout)
    except BaseException:
        # Whatever went wrong, even a bug, must not leave a half-started stack.
        if not keep:
            reporter.step(f"tear down {stack.project}")
            _compose_down(client, volumes=fresh)
        raise
    result = UpResult(stack.name, stack.project, status(stack.name, engine=engine))
    result.seconds = time.monotonic() - started
    return result


def _start_and_wait(
    engine: Engine, stack: ResolvedStack, client: DockerClient, reporter: Reporter, timeout: float
) -> None:
    outcome: dict[str, BaseException] = {}

    def start() -> None:
        try:
            with docker_errors(f"starting {stack.project}"):
                client.compose.up(detach=True, no_build=True, remove_orphans=True, pull="never", quiet=True)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc

    starter = threading.Thread(target=start, name="compose-up", daemon=True)
    starter.start()
    deadline = time.monotonic() + timeout
    last: dict[str, str] = {}
    while True:
        states = {s.name: s for s in _service_states(engine, stack.project)}
        for name in stack.services:
            label = _label(states.get(name))
            if last.get(name) != label:
                reporter.service(name, label)
                last[name] = label
        # While compose is still (re)creating containers, an old one may show as exited.
        starting = starter.is_alive()
        failed = [] if starting else [
            s for s in states.values() if s.failed or _restarting_too_often(engine, s.name, stack.project)
        ]
        if failed:
            raise _failure(engine, stack, failed[0].name, f"{failed[0].name} is {_label(failed[0])}")
        if not starter.is_alive() and "error" in outcome:
            error = outcome["error"]
            culprit = _first_not_ready(stack, states)
            raise _failure(engine, stack, culprit, str(error))
        if not starter.is_alive() and all(name in states and states[name].ready for name in stack.services):
            return
        if time.monotonic() > deadline:
            culprit = _first_not_ready(stack, states)
            raise _failure(engine, stack, culprit, f"{culprit} was not healthy within {timeout:.0f} s")
        time.sleep(_POLL_SECONDS)


def _first_not_ready(stack: ResolvedStack, states: dict[str, ServiceStatus]) -> str:
    return next((n for n in stack.services if n not in states or not states[n].ready), next(iter(stack.services)))


def _label(status: ServiceStatus | None) -> str:
    if status is None:
        return "waiting"
    if status.state == "running" and status.health:
        return status.health
    return status.state


def _failure(engine: Engine, stack: ResolvedStack, service: str, reason: str) -> StackError:
    tail = service_logs(stack.name, service, engine=engine, tail=LOG_TAIL_LINES)
    shown = "\n".join(f"    {line}" for line in tail.strip().splitlines()[-LOG_TAIL_LINES:]) or "    (no output)"
    return StackError(
        f"stack {stack.name!r} did not come up: {reason}\n  last log lines of {service}:\n{shown}",
        hint="`scicatlive up --keep` leaves the containers for inspection; `scicatlive logs "
        f"{service}` shows more",
    )


def _containers(engine: Engine, project: str) -> list[Container]:
    with docker_errors("listing containers"):
        return list(engine.client().container.list(all=True, filters={"label": f"{COMPOSE_PROJECT_LABEL}={project}"}))


def _service_states(engine: Engine, project: str) -> list[ServiceStatus]:
    states = []
    for container in _containers(engine, project):
        health = container.state.health.status if container.state.health else None
        ports = _host_ports(container)
        states.append(
            ServiceStatus(
                name=(container.config.labels or {}).get(COMPOSE_SERVICE_LABEL, container.name),
                state=container.state.status or "unknown",
                health=health,
                image=container.config.image or "",
                host_ports=tuple(ports),
            )
        )
    return states


def _host_ports(container: Container) -> list[int]:
    published = container.network_settings.ports or {}
    return sorted(
        {int(binding["HostPort"]) for bindings in published.values() for binding in bindings or [] if binding.get("HostPort")}
    )


def _restarting_too_often(engine: Engine, service: str, project: str) -> bool:
    for container in _containers(engine, project):
        if (container.config.labels or {}).get(COMPOSE_SERVICE_LABEL) == service:
            return (container.restart_count or 0) >= _MAX_RESTARTS
    return False


def held_ports(engine: Engine, project: str) -> set[int]:
    """Host ports the project's own containers publish (theirs to reuse on `up`)."""
    return {port for state in _service_states(engine, project) for port in state.host_ports}


def _project_has_anything(engine: Engine, project: str) -> bool:
    if _containers(engine, project):
        return True
    with docker_errors("listing volumes"):
        return bool(engine.client().volume.list(filters={"label": f"{COMPOSE_PROJECT_LABEL}={project}"}))


def _compose_down(client: DockerClient, *, volumes: bool) -> None:
    with docker_errors("stopping the stack"):
        client.compose.down(remove_orphans=True, volumes=volumes, timeout=10, quiet=True)


def down(name: str, *, engine: Engine | None = None, volumes: bool = False) -> None:
    """Stop and remove the stack's containers and network; ``volumes`` wipes its data too."""
    engine = engine or default_engine()
    engine.ensure_reachable()
    paths = StackPaths.for_stack(name)
    compose_file = paths.compose_file if paths.compose_file.is_file() else None
    client = engine.client(project=project_name(name), compose_file=compose_file)
    _compose_down(client, volumes=volumes)
    if volumes:
        # The databases were initialised with these secrets; they go together.
        forget_stack(name)


def status(name: str, *, engine: Engine | None = None) -> list[ServiceStatus]:
    """The stack's services as the engine sees them, with their URLs from the host."""
    engine = engine or default_engine()
    engine.ensure_reachable()
    record = read_record(name)
    http_ports = _http_ports(name)
    states = sorted(_service_states(engine, record.project), key=lambda s: s.name)
    return [dataclasses.replace(s, urls=_urls(s, http_ports)) for s in states]


def _http_ports(name: str) -> dict[int, str]:
    """Host port → the base URL of services that speak HTTP on it."""
    stack = reload_stack(name)
    return {
        port.host: f"http://{stack.public_host()}:{port.host}"
        for service in stack.services.values()
        for port in service.ports
        if port.host is not None and port.protocol == "http"
    }


def _urls(state: ServiceStatus, http_ports: dict[int, str]) -> tuple[str, ...]:
    return tuple(http_ports[p] for p in state.host_ports if p in http_ports)


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
