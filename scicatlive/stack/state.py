"""Preparing a stack's state for compose: secrets, env files and generated files.

The layout of the state directory is described in :mod:`scicatlive.stack.record`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scicatlive.catalogue.model import Role
from scicatlive.errors import ConfigError
from scicatlive.stack.files import write_mounted, write_private
from scicatlive.stack.generators import GENERATORS, GeneratorContext
from scicatlive.stack.record import StackPaths
from scicatlive.stack.resolve import ResolvedService, ResolvedStack
from scicatlive.stack.secrets import SecretStore, account_secret
from scicatlive.stack.templating import Lookup, render, secret_names

# `${backend.url}`: the in-network URL of whichever service has that role.
ROLE_NAMESPACES = {role.value for role in Role}


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
