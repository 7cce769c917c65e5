"""What ``status`` shows: each service's container as the engine sees it (no profile needed)."""

from __future__ import annotations

from dataclasses import dataclass

from scicatlive.develop.labels import DEV_LABEL
from scicatlive.engine import ContainerState, Engine, default_engine
from scicatlive.runtime.host_probe import confirmed
from scicatlive.stack.record import StackRecord

# A container that restarted this often is crash-looping, whatever its state says now.
MAX_RESTARTS = 3


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: str
    health: str | None
    image: str
    host_ports: tuple[int, ...] = ()
    urls: tuple[str, ...] = ()
    restarts: int = 0
    dev_source: str | None = None  # the checkout a service in dev mode runs from

    @property
    def ready(self) -> bool:
        return self.state == "running" and self.health in (None, "healthy")

    @property
    def failed(self) -> bool:
        return (
            self.state in ("exited", "dead")
            or self.health == "unhealthy"
            or self.restarts >= MAX_RESTARTS
        )

    @property
    def label(self) -> str:
        if self.state == "running" and self.health:
            return self.health
        return self.state

    @classmethod
    def of(cls, container: ContainerState, urls: tuple[str, ...] = ()) -> ServiceStatus:
        return cls(
            container.service, container.state, container.health, container.image,
            container.host_ports, urls, container.restart_count, container.labels.get(DEV_LABEL),
        )  # fmt: skip


def status(record: StackRecord, *, engine: Engine | None = None) -> list[ServiceStatus]:
    """The stack's services as the engine sees them, with their URLs from the host."""
    engine = engine or default_engine()
    return statuses(record, confirmed(engine.containers(record.project), engine))


def statuses(record: StackRecord, containers: list[ContainerState]) -> list[ServiceStatus]:
    """``containers`` of the stack, by service, with their URLs from the host.

    A service that Docker has not probed yet is ``healthy`` when its endpoint answers from here
    (:func:`~scicatlive.runtime.host_probe.confirmed`, which the caller applies).
    """
    states = sorted(containers, key=lambda s: s.service)
    return [
        ServiceStatus.of(s, tuple(record.http_urls[str(p)] for p in s.host_ports if str(p) in record.http_urls))
        for s in states
    ]
