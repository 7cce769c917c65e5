"""Read the service catalogue: every ``services/<name>/service.yaml``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scicatlive.catalogue.model import ServiceDefinition
from scicatlive.errors import ConfigError
from scicatlive.paths import display, services_dir
from scicatlive.validation import load_yaml_mapping, validate


@dataclass(frozen=True)
class CatalogueEntry:
    definition: ServiceDefinition
    folder: Path

    @property
    def name(self) -> str:
        return self.definition.name


class Catalogue:
    """All services scicatlive knows, by name."""

    def __init__(self, entries: dict[str, CatalogueEntry]) -> None:
        self._entries = entries

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(sorted(self._entries.values(), key=lambda e: e.name))

    def names(self) -> list[str]:
        return sorted(self._entries)

    def get(self, name: str, *, where: str = "") -> CatalogueEntry:
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(self.names())
            raise ConfigError(
                where, f"unknown service {name!r}; known services: {known}"
            ) from None


def load_entry(folder: Path) -> CatalogueEntry:
    source = display(folder / "service.yaml")
    data = load_yaml_mapping(folder / "service.yaml")
    definition = validate(ServiceDefinition, data, source)
    if definition.name != folder.name:
        raise ConfigError(f"{source}: name", f"{definition.name!r} must equal the folder name {folder.name!r}")
    for name, variant in definition.variants.items():
        if variant.build and not (folder / variant.build.dockerfile).is_file():
            raise ConfigError(
                f"{source}: variants.{name}.build.dockerfile",
                f"{variant.build.dockerfile} does not exist in {display(folder)}",
            )
    return CatalogueEntry(definition=definition, folder=folder)


def load_catalogue(root: Path | None = None) -> Catalogue:
    root = root or services_dir()
    entries: dict[str, CatalogueEntry] = {}
    for folder in sorted(p for p in root.iterdir() if (p / "service.yaml").is_file()):
        entry = load_entry(folder)
        entries[entry.name] = entry
    _check_dependencies(entries)
    return Catalogue(entries)


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()


def _check_dependencies(entries: dict[str, CatalogueEntry]) -> None:
    for entry in entries.values():
        for dependency in entry.definition.depends_on:
            if dependency.startswith("role:"):
                continue
            if dependency not in entries:
                raise ConfigError(
                    f"{display(entry.folder / 'service.yaml')}: depends_on",
                    f"no service named {dependency!r} in the catalogue",
                )
        for other in entry.definition.when_present:
            if other not in entries:
                raise ConfigError(
                    f"{display(entry.folder / 'service.yaml')}: when_present.{other}",
                    f"no service named {other!r} in the catalogue",
                )
