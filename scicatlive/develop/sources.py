"""Which services of a stack run from a checkout: ``--dev NAME=PATH`` and ``services.<name>.source``.

Every mistake is reported once, naming the option or the profile key: a malformed
``--dev``, a service the stack does not run, a PATH that does not exist or is not a
checkout of the service, a service without a dev recipe.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from scicatlive.catalogue.loader import Catalogue, CatalogueEntry, default_catalogue
from scicatlive.develop.recipes import RECIPE_FILE, DevRecipe, load_recipe
from scicatlive.errors import ConfigError
from scicatlive.paths import display
from scicatlive.stack.resolve import ResolvedStack

DEV_OPTION = "--dev"


@dataclass(frozen=True)
class DevSource:
    service: str
    path: Path
    recipe: DevRecipe
    entry: CatalogueEntry
    where: str  # the option or profile key that asked for it, for messages


def parse_dev_options(values: list[str] | None) -> dict[str, str]:
    """``["scicat-lite=../src"]`` → ``{"scicat-lite": "../src"}``; one clear error per mistake."""
    pairs: dict[str, str] = {}
    for value in values or []:
        name, sep, path = value.partition("=")
        name, path = name.strip(), path.strip()
        if not sep or not name or not path:
            raise ConfigError(DEV_OPTION, f"{value!r} is not NAME=PATH", hint="e.g. --dev scicat-lite=./my-scicat-lite")
        if name in pairs:
            raise ConfigError(DEV_OPTION, f"{name} is given twice")
        pairs[name] = path
    return pairs


def _profile_file(origin: str) -> Path:
    """``"my.yaml: services.x"`` → the profile file that set the key."""
    return Path(origin.rsplit(": services.", 1)[0])


def requested_sources(stack: ResolvedStack, cli: dict[str, str] | None = None) -> dict[str, tuple[Path, str]]:
    """Service → (absolute PATH, where it was asked for); the command line wins over the profile."""
    found: dict[str, tuple[Path, str]] = {}
    for name, options in stack.profile.services.items():
        if options.source:
            origin = stack.profile.service_origins[name]
            path = Path(options.source).expanduser()
            if not path.is_absolute():
                path = _profile_file(origin).resolve().parent / path
            found[name] = (path, f"{origin}.source")
    for name, raw in (cli or {}).items():
        if name not in stack.services:
            raise ConfigError(
                DEV_OPTION, f"{name} is not a service of stack {stack.name!r}",
                hint=f"its services: {', '.join(stack.services)}",
            )
        found[name] = (Path(raw).expanduser().resolve(), f"{DEV_OPTION} {name}")
    return found


def dev_sources(
    stack: ResolvedStack, cli: dict[str, str] | None = None, catalogue: Catalogue | None = None
) -> dict[str, DevSource]:
    """The stack's services in dev mode, each checked: PATH, recipe, checkout."""
    catalogue = catalogue or default_catalogue()
    sources: dict[str, DevSource] = {}
    for name, (path, where) in requested_sources(stack, cli).items():
        entry = catalogue.get(name, where=where)
        recipe = load_recipe(entry)
        if recipe is None:
            with_recipe = [e.name for e in catalogue if (e.folder / RECIPE_FILE).is_file()]
            raise ConfigError(
                where, f"{name} has no dev recipe (services/{name}/{RECIPE_FILE})",
                hint=f"services that can run from a checkout: {', '.join(with_recipe)}",
            )
        if not path.is_dir():
            what = "is not a folder" if path.exists() else "does not exist"
            raise ConfigError(where, f"{display(path)} {what}", hint=f"give a checkout of {name}")
        missing = [f for f in recipe.required if not (path / f).exists()]
        if missing:
            raise ConfigError(
                where, f"{display(path)} is not a checkout of {name}: it has no {', '.join(missing)}"
            )
        if recipe.kind == "mount" and not entry.definition.variant(stack.services[name].variant).is_local:
            raise ConfigError(where, f"{name} runs a registry image here; its dev mode needs the local build")
        sources[name] = DevSource(name, path, recipe, entry, where)
    return sources


def with_sources(stack: ResolvedStack, sources: dict[str, DevSource]) -> ResolvedStack:
    """The stack whose profile names every dev source, so rendering sees the command line's too."""
    services = dict(stack.profile.services)
    for name, source in sources.items():
        services[name] = services[name].model_copy(update={"source": str(source.path)})
    profile = dataclasses.replace(stack.profile, services=services)
    return dataclasses.replace(stack, profile=profile)
