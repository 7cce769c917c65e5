"""The catalogue entry of one service: ``services/<name>/service.yaml``."""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from scicatlive.validation import StrictModel

NAME_PATTERN = r"^[a-z][a-z0-9-]*$"
ServiceName = Annotated[str, Field(pattern=NAME_PATTERN)]
# A dependency names a service, or any service of a role: `role:backend`.
Dependency = Annotated[str, Field(pattern=r"^(role:)?[a-z][a-z0-9-]*$")]
_DURATION = re.compile(r"^\d+(ms|s|m|h)$")


def _check_port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError("must be 1-65535")
    return value


def _check_duration(value: str) -> str:
    if not _DURATION.match(value):
        raise ValueError(f"{value!r} is not a duration like 500ms, 5s, 2m or 1h")
    return value


Port = Annotated[int, AfterValidator(_check_port)]
Duration = Annotated[str, AfterValidator(_check_duration)]

# The switches a profile's `features:` list accepts, and what each one gives a stack.
FEATURES: dict[str, str] = {
    "jobs": "archive and retrieve jobs: a RabbitMQ broker and an archive worker",
    "ldap": "logins against an LDAP directory of the profile's accounts",
    "oidc": "logins through an OpenID Connect provider (authorization-code flow)",
    "search": "the PaNOSC search API, an OAI-PMH provider and DOI landing pages over the public data",
    "jupyter": "JupyterLab with the SciCat clients and the training notebooks, logged in to the stack",
    "follow": "ISPyB's new data collections and processing mapped into SciCat as they are written (sync --follow)",
}


def _check_feature(value: str) -> str:
    if value not in FEATURES:
        raise ValueError(f"unknown feature {value!r}; known features: {', '.join(FEATURES)}")
    return value


Feature = Annotated[str, AfterValidator(_check_feature)]


class Role(str, Enum):
    BACKEND = "backend"
    FRONTEND = "frontend"
    DATABASE = "database"
    SEARCH = "search"
    ISPYB = "ispyb"
    OTHER = "other"


class PortSpec(StrictModel):
    name: str = "http"
    container: Port
    host: Port | None = None
    protocol: Literal["http", "tcp"] = "http"
    path: str = "/"


class HttpProbe(StrictModel):
    """A health endpoint that answers 2xx when the service is ready, on one of its ports."""

    port: Port
    path: str = Field(pattern=r"^/")


class Healthcheck(StrictModel):
    # Either a command run in the container, or an HTTP endpoint: Docker probes the endpoint
    # with curl, and `up` and restores also ask it from the host, through its published port,
    # until Docker's first probe has passed. So `interval` can be long (every probe is a
    # `docker exec`) without making a start wait for it.
    test: list[str] | None = Field(default=None, min_length=1)
    http: HttpProbe | None = None
    interval: Duration = "5s"
    timeout: Duration = "5s"
    retries: int = Field(default=30, ge=1)
    start_period: Duration = "5s"
    # Left out of a stack in which a service that depends on this one has a healthcheck of its
    # own (it waits for this one and reports it): every probe is a `docker exec`.
    dropped_when_reported: bool = False

    @model_validator(mode="after")
    def _test_or_http(self) -> Healthcheck:
        if (self.test is None) == (self.http is None):
            raise ValueError("a healthcheck has either `test` (a command) or `http` (port and path), not both")
        return self

    @property
    def command(self) -> list[str]:
        """What Docker runs in the container."""
        if self.test is not None:
            return self.test
        assert self.http is not None
        seconds = _seconds(self.timeout)
        url = f"http://127.0.0.1:{self.http.port}{self.http.path}"
        return ["CMD", "curl", "-fsS", "-o", "/dev/null", "--max-time", f"{seconds:g}", url]


_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _seconds(duration: str) -> float:
    unit = "ms" if duration.endswith("ms") else duration[-1]
    return int(duration[: -len(unit)]) * _UNIT_SECONDS[unit]


class BuildSpec(StrictModel):
    base: Literal["python", "debian"] = "python"
    dockerfile: str = "Dockerfile"
    requirements: str | None = None


class VolumeSpec(StrictModel):
    name: ServiceName
    target: str


class GeneratedFile(StrictModel):
    generator: str
    target: str


class Integration(StrictModel):
    """What a service adds when another service is in the same stack."""

    environment: dict[str, str] = Field(default_factory=dict)
    wait: bool = True


class HostMount(StrictModel):
    """A host folder or file bind-mounted read-only: ``{package}`` is scicatlive's own package
    (a notebook imports it), any other relative source is inside the service's folder."""

    source: str = Field(min_length=1)
    target: str = Field(pattern=r"^/")


class Variant(StrictModel):
    """One way to get the service's image: pull it, or build it here."""

    image: str | None = None
    build: BuildSpec | None = None
    environment: dict[str, str] = Field(default_factory=dict)
    healthcheck: Healthcheck | None = None
    command: list[str] | None = None
    volumes: list[VolumeSpec] | None = None
    host_mounts: list[HostMount] | None = Field(default=None, description="replaces the service's host_mounts")
    # Overrides the service's `backend_environment` keys for this variant.
    backend_environment: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _needs_an_image(self) -> Variant:
        if self.image is None:
            raise ValueError("a variant needs an image (and, to build it here, a build section)")
        if self.build is not None and ":" in self.image.rsplit("/", 1)[-1]:
            raise ValueError("a local build's image has no tag: scicatlive derives it from the build inputs")
        return self

    @property
    def is_local(self) -> bool:
        return self.build is not None


class ServiceDefinition(StrictModel):
    name: ServiceName
    role: Role
    description: str
    default_variant: str
    variants: dict[str, Variant] = Field(min_length=1)
    ports: list[PortSpec] = Field(default_factory=list)
    healthcheck: Healthcheck | None = None
    environment: dict[str, str] = Field(default_factory=dict)
    command: list[str] | None = None
    volumes: list[VolumeSpec] = Field(default_factory=list)
    host_mounts: list[HostMount] = Field(default_factory=list)
    files: list[GeneratedFile] = Field(default_factory=list)
    depends_on: list[Dependency] = Field(default_factory=list)
    when_present: dict[ServiceName, Integration] = Field(default_factory=dict)
    user: str | None = None
    mem_limit: str | None = None
    ulimits: dict[str, int] = Field(default_factory=dict)
    # A service that runs for a profile feature, and the environment (upstream's
    # variable names) the stack's SciCat backend gets while that feature is on.
    feature: Feature | None = None
    backend_environment: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _default_variant_exists(self) -> ServiceDefinition:
        if self.default_variant not in self.variants:
            known = ", ".join(sorted(self.variants))
            raise ValueError(f"default_variant {self.default_variant!r} is not one of: {known}")
        wires = self.backend_environment or any(v.backend_environment for v in self.variants.values())
        if wires and self.feature is None:
            raise ValueError("backend_environment applies while a feature is on; name it with `feature:`")
        ports = {port.container for port in self.ports}
        checks = [self.healthcheck, *(v.healthcheck for v in self.variants.values())]
        for check in checks:
            if check is not None and check.http is not None and check.http.port not in ports:
                raise ValueError(f"healthcheck.http.port {check.http.port} is not one of the service's ports "
                                 f"({', '.join(map(str, sorted(ports))) or 'none'}): the host asks it there")  # fmt: skip
        return self

    def variant(self, name: str | None) -> Variant:
        return self.variants[name or self.default_variant]

    def backend_wiring(self, variant: str | None) -> dict[str, str]:
        """What a backend gets from this feature service, run as ``variant``.

        An unknown variant adds nothing here; the profile check reports it with its key.
        """
        chosen = self.variants.get(variant or self.default_variant)
        return {**self.backend_environment, **(chosen.backend_environment if chosen else {})}

    @property
    def local_variant(self) -> str | None:
        """The name of a variant built here, if the service has one."""
        return next((name for name, v in self.variants.items() if v.is_local), None)
