"""Render a prepared stack as a Compose file: the one `up` runs and `config` prints.

Secrets never appear here: env vars that hold one live in an ``env_file`` and
generated files are bind-mounted from the stack's state directory.
"""

from __future__ import annotations

from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from scicatlive import __version__
from scicatlive.develop.labels import DEV_LABEL
from scicatlive.develop.render import dev_compose
from scicatlive.runtime.host_probe import HEALTH_ENDPOINT_LABEL, endpoint_label
from scicatlive.stack.resolve import PublishedPort, ResolvedService, ResolvedStack
from scicatlive.stack.state import PreparedService, PreparedStack

LABEL_PREFIX = "io.scicatlive"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComposeHealthcheck(_Out):
    test: list[str]
    interval: str
    timeout: str
    retries: int
    start_period: str


class ComposePort(_Out):
    target: int
    published: str
    host_ip: str
    protocol: Literal["tcp"] = "tcp"


class ComposeBind(_Out):
    type: Literal["bind"] = "bind"
    source: str
    target: str
    read_only: bool = True


class ComposeVolumeMount(_Out):
    type: Literal["volume"] = "volume"
    source: str
    target: str


class ComposeAnonymousVolume(_Out):
    type: Literal["volume"] = "volume"
    target: str


class ComposeDependency(_Out):
    condition: Literal["service_healthy", "service_started"]


class ComposeService(_Out):
    image: str
    build: dict[str, Any] | None = None
    pull_policy: Literal["never", "missing"]
    restart: str = "unless-stopped"
    command: list[str] | None = None
    user: str | None = None
    environment: dict[str, str] | None = None
    env_file: list[str] | None = None
    ports: list[ComposePort] | None = None
    volumes: list[ComposeVolumeMount | ComposeBind | ComposeAnonymousVolume] | None = None
    healthcheck: ComposeHealthcheck | None = None
    depends_on: dict[str, ComposeDependency] | None = None
    labels: dict[str, str]
    mem_limit: str | None = None
    ulimits: dict[str, int] | None = None
    develop: dict[str, Any] | None = None


class ComposeNamedVolume(_Out):
    labels: dict[str, str]


class ComposeNetwork(_Out):
    labels: dict[str, str]


class ComposeDocument(_Out):
    name: str
    services: dict[str, ComposeService]
    volumes: dict[str, ComposeNamedVolume] = Field(default_factory=dict)
    networks: dict[str, ComposeNetwork] = Field(default_factory=dict)

    def to_yaml(self) -> str:
        data = self.model_dump(exclude_none=True)
        return str(yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=100))

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def stack_labels(stack: ResolvedStack) -> dict[str, str]:
    return {
        f"{LABEL_PREFIX}.stack": stack.name,
        f"{LABEL_PREFIX}.profile": stack.profile.name,
        f"{LABEL_PREFIX}.version": __version__,
    }


def volume_name(service: str, volume: str) -> str:
    return f"{service}-{volume}"


def render_compose(prepared: PreparedStack) -> ComposeDocument:
    stack = prepared.stack
    labels = stack_labels(stack)
    services = {
        name: _service(item, stack, labels) for name, item in prepared.services.items()
    }
    volumes = {
        volume_name(service.name, volume.name): ComposeNamedVolume(labels=labels)
        for service in stack.services.values()
        for volume in service.volumes
    }
    return ComposeDocument(
        name=stack.project,
        services=services,
        volumes=volumes,
        networks={"default": ComposeNetwork(labels=labels)},
    )


def _service(prepared: PreparedService, stack: ResolvedStack, labels: dict[str, str]) -> ComposeService:
    service = prepared.service
    mounts: list[ComposeVolumeMount | ComposeBind | ComposeAnonymousVolume] = [
        ComposeVolumeMount(source=volume_name(service.name, v.name), target=v.target) for v in service.volumes
    ]
    mounts += [ComposeBind(source=str(m.source), target=m.target) for m in prepared.mounts]
    mounts += [ComposeBind(source=str(src), target=dst) for src, dst in service.host_mounts]
    ports = [_port(p, stack) for p in service.ports if p.host is not None]
    composed = ComposeService(
        image=service.image,
        pull_policy="never" if service.is_local else "missing",
        command=_escape_all(service.command),
        user=service.user,
        environment={k: _escape(v) for k, v in sorted(prepared.environment.items())} or None,
        env_file=[str(prepared.env_file)] if prepared.env_file else None,
        ports=ports or None,
        volumes=mounts or None,
        healthcheck=_healthcheck(service),
        depends_on=_depends_on(service, stack) or None,
        labels={
            **labels,
            f"{LABEL_PREFIX}.service": service.name,
            f"{LABEL_PREFIX}.role": service.role.value,
            f"{LABEL_PREFIX}.variant": service.variant,
            **_endpoint_label(service),
        },
        mem_limit=service.mem_limit,
        ulimits=service.ulimits or None,
    )
    return _with_dev_mode(composed, stack, service)


def _with_dev_mode(composed: ComposeService, stack: ResolvedStack, service: ResolvedService) -> ComposeService:
    """A service running from a checkout: built from it, watched, its code mounted (docs: dev mode)."""
    dev = dev_compose(stack, service)
    if dev is None:
        return composed
    volumes: list[ComposeVolumeMount | ComposeBind | ComposeAnonymousVolume] = list(composed.volumes or [])
    # The checkout goes first: generated files mounted inside it must stack on top of it.
    binds = [ComposeBind(source=src, target=dst, read_only=ro) for src, dst, ro in dev.binds]
    volumes = [*binds, *(ComposeAnonymousVolume(target=t) for t in dev.anonymous_volumes), *volumes]
    return composed.model_copy(update={
        "build": dev.build, "develop": dev.develop, "pull_policy": "never", "volumes": volumes,
        "labels": {**composed.labels, DEV_LABEL: dev.label},
    })


def _port(port: PublishedPort, stack: ResolvedStack) -> ComposePort:
    assert port.host is not None
    return ComposePort(target=port.container, published=str(port.host), host_ip=stack.settings.bind_address)


def _healthcheck(service: ResolvedService) -> ComposeHealthcheck | None:
    check = service.healthcheck
    if check is None:
        return None
    return ComposeHealthcheck(
        test=_escape_all(check.command) or [],
        interval=check.interval,
        timeout=check.timeout,
        retries=check.retries,
        start_period=check.start_period,
    )


def _endpoint_label(service: ResolvedService) -> dict[str, str]:
    """Where the host can ask the service's health (runtime/host_probe.py), if it publishes that port."""
    probe = service.healthcheck.http if service.healthcheck else None
    if probe is None or not any(p.container == probe.port and p.host is not None for p in service.ports):
        return {}
    return {HEALTH_ENDPOINT_LABEL: endpoint_label(probe.port, probe.path)}


def _depends_on(service: ResolvedService, stack: ResolvedStack) -> dict[str, ComposeDependency]:
    return {name: ComposeDependency(condition=_condition(service, stack.services[name])) for name in service.depends_on}


def _condition(service: ResolvedService, dependency: ResolvedService) -> Literal["service_healthy", "service_started"]:
    if dependency.healthcheck is None:
        return "service_started"
    # A dependency asked from the host is probed rarely by Docker: a dependent that reports its
    # dependencies in its own health starts beside it instead of waiting for that probe.
    if _endpoint_label(dependency) and service.healthcheck is not None:
        return "service_started"
    return "service_healthy"


def _escape(value: str) -> str:
    # compose interpolates `$`; the values here are final, so protect them.
    return value.replace("$", "$$")


def _escape_all(values: list[str] | None) -> list[str] | None:
    return [_escape(v) for v in values] if values is not None else None
