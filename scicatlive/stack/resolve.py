"""Profile + catalogue + command-line options → the concrete stack to run."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from scicatlive.catalogue.loader import Catalogue, CatalogueEntry
from scicatlive.catalogue.model import (
    GeneratedFile,
    Healthcheck,
    HostMount,
    Role,
    ServiceDefinition,
    Variant,
    VolumeSpec,
)
from scicatlive.errors import ConfigError
from scicatlive.images.local import LocalBuild
from scicatlive.names import project_name
from scicatlive.profiles.loader import Profile
from scicatlive.profiles.model import Account, ServiceOptions, StackSettings


@dataclass(frozen=True)
class StackOptions:
    """What the command line (or a caller) adds to a profile."""

    stack: str | None = None
    port_offset: int | None = None
    offline: bool = False


@dataclass(frozen=True)
class PublishedPort:
    name: str
    container: int
    host: int | None
    protocol: str
    path: str


@dataclass(frozen=True)
class ResolvedService:
    name: str
    role: Role
    description: str
    variant: str
    upstream_image: str | None
    build: LocalBuild | None
    environment: dict[str, str]
    ports: tuple[PublishedPort, ...]
    healthcheck: Healthcheck | None
    command: list[str] | None
    volumes: tuple[VolumeSpec, ...]
    host_mounts: tuple[tuple[Path, str], ...]  # (host path, container path), mounted read-only
    files: tuple[GeneratedFile, ...]
    depends_on: tuple[str, ...]
    user: str | None
    mem_limit: str | None
    ulimits: dict[str, int]

    @property
    def is_local(self) -> bool:
        return self.build is not None

    @property
    def image(self) -> str:
        """The image reference; a local build's tag is its build digest (computed on first use)."""
        if self.build is not None:
            return self.build.image
        assert self.upstream_image is not None
        return self.upstream_image


@dataclass(frozen=True)
class ResolvedStack:
    name: str
    profile: Profile
    settings: StackSettings
    services: dict[str, ResolvedService]
    accounts: tuple[Account, ...]
    offline: bool = False
    extra_labels: dict[str, str] = field(default_factory=dict)

    @property
    def project(self) -> str:
        return project_name(self.name)

    def by_role(self, role: Role) -> list[ResolvedService]:
        return [s for s in self.services.values() if s.role == role]

    def public_host(self) -> str:
        address = self.settings.bind_address
        if address in ("0.0.0.0", "::"):
            return "127.0.0.1"
        return f"[{address}]" if ":" in address else address

    def public_url(self, service: str) -> str | None:
        for port in self.services[service].ports:
            if port.host is not None and port.protocol == "http":
                return f"http://{self.public_host()}:{port.host}"
        return None


def resolve_stack(profile: Profile, catalogue: Catalogue, options: StackOptions) -> ResolvedStack:
    settings = profile.stack
    if options.port_offset is not None:
        settings = settings.model_copy(update={"port_offset": options.port_offset})
    stack_name = options.stack or profile.stack_name
    roles = {name: catalogue.get(name).definition.role for name in profile.services}
    services = {
        name: _resolve_service(catalogue.get(name), opts, settings, options.offline, profile, roles)
        for name, opts in profile.services.items()
    }
    services = _without_reported_probes(services)
    return ResolvedStack(
        name=stack_name,
        profile=profile,
        settings=settings,
        services=services,
        accounts=profile.accounts,
        offline=options.offline,
    )


def _without_reported_probes(services: dict[str, ResolvedService]) -> dict[str, ResolvedService]:
    """Drop the probes of services that a probed dependent waits for and reports (a database)."""
    reported = {
        dependency
        for service in services.values()
        if service.healthcheck is not None
        for dependency in service.depends_on
    }
    return {
        name: replace(service, healthcheck=None)
        if name in reported and service.healthcheck is not None and service.healthcheck.dropped_when_reported
        else service
        for name, service in services.items()
    }


def _resolve_service(
    entry: CatalogueEntry,
    options: ServiceOptions,
    settings: StackSettings,
    offline: bool,
    profile: Profile,
    roles: dict[str, Role],
) -> ResolvedService:
    definition = entry.definition
    present = [(name, i) for name, i in definition.when_present.items() if name in roles]
    where = profile.service_origins[definition.name]
    variant_name = _choose_variant(definition, options, offline, where)
    variant = definition.variant(variant_name)
    upstream_image, build = _image(entry, variant, options, where)
    return ResolvedService(
        name=definition.name,
        role=definition.role,
        description=definition.description,
        variant=variant_name,
        upstream_image=upstream_image,
        build=build,
        environment={
            **definition.environment,
            **{k: v for _, integration in present for k, v in integration.environment.items()},
            **variant.environment,
            **options.environment,
        },
        ports=_ports(definition, options, settings),
        healthcheck=variant.healthcheck or definition.healthcheck,
        command=variant.command or definition.command,
        volumes=tuple(variant.volumes if variant.volumes is not None else definition.volumes),
        host_mounts=_host_mounts(entry, variant.host_mounts if variant.host_mounts is not None else definition.host_mounts),
        files=tuple(definition.files),
        depends_on=_dependencies(definition, roles, [name for name, i in present if i.wait]),
        user=definition.user,
        mem_limit=definition.mem_limit,
        ulimits=dict(definition.ulimits),
    )


def _host_mounts(entry: CatalogueEntry, mounts: list[HostMount]) -> tuple[tuple[Path, str], ...]:
    package = Path(__file__).resolve().parent.parent
    return tuple(
        (package if m.source == "{package}" else entry.folder / m.source, m.target) for m in mounts
    )


def _choose_variant(
    definition: ServiceDefinition, options: ServiceOptions, offline: bool, where: str
) -> str:
    chosen = options.variant or definition.default_variant
    if not offline or definition.variants[chosen].is_local and options.image is None:
        return chosen
    local = definition.local_variant
    if local is None:
        raise ConfigError(
            where,
            f"{definition.name} has no local build, so it cannot run offline",
            hint="use the lite profile, or run without --offline on a machine that reaches the registry",
        )
    if options.variant is not None or options.image is not None:
        raise ConfigError(
            f"{where}.{'variant' if options.variant else 'image'}",
            f"asks for a registry image, but --offline forces local builds ({definition.name}: variant {local})",
        )
    return local


def _image(
    entry: CatalogueEntry, variant: Variant, options: ServiceOptions, where: str
) -> tuple[str | None, LocalBuild | None]:
    assert variant.image is not None
    if options.image is not None:
        return options.image, None
    if variant.build is not None:
        if options.version is not None:
            raise ConfigError(f"{where}.version", "a local build has no version to choose; drop the key")
        return None, LocalBuild(entry.folder, variant.build, variant.image)
    if options.version is None:
        return variant.image, None
    repository = variant.image.rsplit(":", 1)[0] if ":" in variant.image.rsplit("/", 1)[-1] else variant.image
    return f"{repository}:{options.version}", None


def _dependencies(definition: ServiceDefinition, roles: dict[str, Role], extra: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    for dependency in definition.depends_on:
        if dependency.startswith("role:"):
            role = dependency.removeprefix("role:")
            names += [name for name, r in roles.items() if r.value == role and name != definition.name]
        else:
            names.append(dependency)
    return tuple(dict.fromkeys([*names, *extra]))


def _ports(
    definition: ServiceDefinition, options: ServiceOptions, settings: StackSettings
) -> tuple[PublishedPort, ...]:
    published = []
    for index, port in enumerate(definition.ports):
        host = options.port if index == 0 and options.port is not None else port.host
        if host is not None:
            host += settings.port_offset
        published.append(PublishedPort(port.name, port.container, host, port.protocol, port.path))
    return tuple(published)
