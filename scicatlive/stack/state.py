"""A stack's state directory, and preparing it for compose.

``<state>/stacks/<name>/`` holds everything a stack needs besides images:

    stack.json        which profile started it, and when
    secrets.json      generated secrets and account passwords (0600)
    compose.yaml      exactly what `scicatlive config` prints
    env/<svc>.env     the env vars whose values hold secrets (0600)
    files/<svc>/...   generated files, bind-mounted read-only
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scicatlive import __version__
from scicatlive.catalogue.model import Role
from scicatlive.errors import ConfigError, StackError
from scicatlive.paths import display, state_dir
from scicatlive.stack.files import write_mounted, write_private
from scicatlive.stack.generators import GENERATORS, GeneratorContext
from scicatlive.stack.resolve import ResolvedService, ResolvedStack
from scicatlive.stack.secrets import SecretStore, account_secret
from scicatlive.stack.templating import Lookup, render, secret_names


# `${backend.url}`: the in-network URL of whichever service has that role.
ROLE_NAMESPACES = {role.value for role in Role}


@dataclass(frozen=True)
class StackPaths:
    root: Path

    @classmethod
    def for_stack(cls, name: str) -> StackPaths:
        return cls(state_dir() / "stacks" / name)

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
class MountedFile:
    source: Path
    target: str


@dataclass(frozen=True)
class PreparedService:
    service: ResolvedService
    environment: dict[str, str]
    env_file: Path | None
    mounts: tuple[MountedFile, ...]


@dataclass(frozen=True)
class PreparedStack:
    stack: ResolvedStack
    paths: StackPaths
    services: dict[str, PreparedService]
    secrets: SecretStore


@dataclass(frozen=True)
class StackRecord:
    name: str
    project: str
    profile: str
    created: str
    scicatlive_version: str
    port_offset: int = 0
    offline: bool = False


def prepare_stack(stack: ResolvedStack) -> PreparedStack:
    """Create or reuse the stack's secrets, then write its env and generated files."""
    paths = StackPaths.for_stack(stack.name)
    secrets = SecretStore(paths.secrets)
    _ensure_secrets(stack, secrets)
    lookup = _lookup(stack, secrets)
    context = GeneratorContext(stack, secrets)
    prepared = {
        name: _prepare_service(service, paths, lookup, context, stack)
        for name, service in stack.services.items()
    }
    secrets.save()
    return PreparedStack(stack=stack, paths=paths, services=prepared, secrets=secrets)


def write_record(stack: ResolvedStack, paths: StackPaths) -> None:
    created = read_record(stack.name).created if paths.record.exists() else _now()
    record = StackRecord(
        stack.name, stack.project, str(stack.profile.source), created, __version__,
        stack.settings.port_offset, stack.offline,
    )
    write_private(paths.record, json.dumps(record.__dict__, indent=2) + "\n")


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


def forget_stack(name: str) -> None:
    """Remove the stack's state (secrets included); used by `down --volumes`."""
    shutil.rmtree(StackPaths.for_stack(name).root, ignore_errors=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _ensure_secrets(stack: ResolvedStack, secrets: SecretStore) -> None:
    names: set[str] = set()
    for service in stack.services.values():
        for value in service.environment.values():
            names |= secret_names(value)
    for account in stack.accounts:
        if account.password is not None:
            secrets.pin(account_secret(account.username), account.password)
        else:
            names.add(account_secret(account.username))
    secrets.ensure(sorted(names))


def _lookup(stack: ResolvedStack, secrets: SecretStore) -> Lookup:
    stack_values = {
        "name": stack.name,
        "project": stack.project,
        "pid_prefix": stack.settings.pid_prefix,
        "site": stack.settings.site,
        "bind_address": stack.settings.bind_address,
    }

    def lookup(namespace: str, key: str) -> str:
        if namespace == "secrets":
            return secrets[key]
        if namespace == "stack":
            return stack_values[key]
        if namespace == "services":
            service_name, _, attribute = key.rpartition(".")
            return _service_value(stack, service_name, attribute)
        if namespace in ROLE_NAMESPACES:
            providers = stack.by_role(Role(namespace))
            if not providers:
                raise KeyError(namespace)
            return _service_value(stack, providers[0].name, key)
        raise KeyError(namespace)

    return lookup


def _service_value(stack: ResolvedStack, name: str, attribute: str) -> str:
    service = stack.services[name]
    first_port = service.ports[0].container if service.ports else None
    if attribute == "host":
        return name
    if attribute == "port" and first_port is not None:
        return str(first_port)
    if attribute == "url" and first_port is not None:
        return f"http://{name}:{first_port}"
    if attribute == "public_url":
        url = stack.public_url(name)
        if url is not None:
            return url
    raise KeyError(attribute)


def _prepare_service(
    service: ResolvedService,
    paths: StackPaths,
    lookup: Lookup,
    context: GeneratorContext,
    stack: ResolvedStack,
) -> PreparedService:
    inline: dict[str, str] = {}
    hidden: dict[str, str] = {}
    for key, template in service.environment.items():
        where = f"{stack.profile.service_origins[service.name]}.environment.{key}"
        rendered = render(template, lookup, where=where)
        (hidden if rendered.uses_secret else inline)[key] = rendered.value
    env_file = None
    if hidden:
        env_file = paths.env_file(service.name)
        write_private(env_file, "".join(f"{k}={_env_escape(v)}\n" for k, v in sorted(hidden.items())))
    mounts = tuple(_generate(service, spec.generator, spec.target, paths, context) for spec in service.files)
    return PreparedService(service=service, environment=inline, env_file=env_file, mounts=mounts)


def _generate(
    service: ResolvedService,
    generator_name: str,
    target: str,
    paths: StackPaths,
    context: GeneratorContext,
) -> MountedFile:
    generator = GENERATORS.get(generator_name)
    if generator is None:
        known = ", ".join(sorted(GENERATORS))
        raise ConfigError(
            f"services/{service.name}/service.yaml: files",
            f"unknown generator {generator_name!r}; known: {known}",
        )
    source = paths.generated_file(service.name, target)
    write_mounted(source, generator(context))
    return MountedFile(source=source, target=target)


def _env_escape(value: str) -> str:
    # compose interpolates `$` in env files too; a literal `$` is written `$$`.
    if "\n" in value:
        raise ConfigError("environment", "a value holding a secret cannot span several lines")
    return value.replace("$", "$$")
