"""A stack's state directory and its record: what it was started from, and what it holds.

``<state>/stacks/<name>/`` holds everything a stack needs besides images:

    stack.json        which profile started it, its ports and URLs, the recipe it holds
    secrets.json      generated secrets and account passwords (0600)
    compose.yaml      exactly what `scicatlive config` prints
    env/<svc>.env     the env vars whose values hold secrets (0600)
    files/<svc>/...   generated files, bind-mounted read-only

Reading a record imports nothing heavy: ``status`` answers from it without
resolving the profile again.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scicatlive import __version__
from scicatlive.errors import ConfigError, StackError
from scicatlive.names import check_stack_name
from scicatlive.paths import display, state_dir
from scicatlive.stack.files import write_private

if TYPE_CHECKING:
    from scicatlive.stack.resolve import ResolvedStack


@dataclass(frozen=True)
class StackPaths:
    root: Path

    @classmethod
    def for_stack(cls, name: str) -> StackPaths:
        """The stack's folder; a name that would leave the state directory is refused."""
        check_stack_name(name, "stack name")
        stacks = (state_dir() / "stacks").resolve()
        root = (stacks / name).resolve()
        if root.parent != stacks:
            raise ConfigError("stack name", f"{name!r} would place the stack's state outside {stacks}")
        return cls(root)

    @property
    def record(self) -> Path:
        return self.root / "stack.json"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets.json"

    @property
    def compose_file(self) -> Path:
        return self.root / "compose.yaml"

    def env_file(self, service: str) -> Path:
        return self.root / "env" / f"{service}.env"

    def generated_file(self, service: str, target: str) -> Path:
        return self.root / "files" / service / Path(target).name


@dataclass(frozen=True)
class StackRecord:
    """What a stack was started from, so later commands need not resolve its profile again."""

    name: str
    project: str
    profile: str
    created: str
    scicatlive_version: str
    port_offset: int = 0
    offline: bool = False
    http_urls: dict[str, str] = field(default_factory=dict, metadata={"doc": "host port → base URL"})
    services: list[str] = field(default_factory=list)
    host_ports: list[int] = field(default_factory=list)
    recipe: str | None = field(default=None, metadata={"doc": "the recipe its data was seeded with"})


def write_record(stack: ResolvedStack, paths: StackPaths, *, recipe: str | None = None) -> StackRecord:
    """Record how the stack was resolved; ``recipe`` (when given) notes what its data holds."""
    previous = read_record(stack.name) if paths.record.exists() else None
    record = StackRecord(
        name=stack.name,
        project=stack.project,
        profile=str(stack.profile.source),
        created=previous.created if previous else _now(),
        scicatlive_version=__version__,
        port_offset=stack.settings.port_offset,
        offline=stack.offline,
        http_urls={
            str(port.host): f"http://{stack.public_host()}:{port.host}"
            for service in stack.services.values()
            for port in service.ports
            if port.host is not None and port.protocol == "http"
        },
        services=list(stack.services),
        host_ports=sorted(port.host for s in stack.services.values() for port in s.ports if port.host is not None),
        recipe=recipe if recipe is not None else (previous.recipe if previous else None),
    )
    write_private(paths.record, json.dumps(dataclasses.asdict(record), indent=2) + "\n")
    return record


def note_recipe(name: str, recipe: str | None) -> None:
    """Remember which recipe the stack's data holds (None: its data was wiped)."""
    record = read_record(name)
    updated = dataclasses.replace(record, recipe=recipe)
    write_private(StackPaths.for_stack(name).record, json.dumps(dataclasses.asdict(updated), indent=2) + "\n")


def read_record(name: str) -> StackRecord:
    path = StackPaths.for_stack(name).record
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return StackRecord(**data)
    except FileNotFoundError:
        raise StackError(
            f"no stack named {name!r} has been set up here",
            hint="start one with `scicatlive up`, or list them with `scicatlive status --all`",
        ) from None
    except (json.JSONDecodeError, TypeError) as exc:
        raise StackError(f"{display(path)}: damaged stack record ({exc})") from None


def known_stacks() -> list[str]:
    root = state_dir() / "stacks"
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "stack.json").is_file())


def known_records() -> list[StackRecord]:
    """Every stack set up here that can still be read."""
    records = []
    for name in known_stacks():
        try:
            records.append(read_record(name))
        except StackError:
            continue
    return records


def forget_stack(name: str) -> None:
    """Remove the stack's state (secrets included); used by `down --volumes`."""
    shutil.rmtree(StackPaths.for_stack(name).root, ignore_errors=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
