"""The datasets list's columns: which exist, the defaults, and the upstream settings format.

Columns are named as the upstream frontend names them (backend fields: ``pid``,
``datasetName``, ``creationTime``, ``image``…; a metadata key as
``scientificMetadata.<key>.value``), so the choice saved in ``fe_dataset_table_columns``
means the same in both frontends. Saved entries this frontend cannot show (``select``,
``sourceFolderHost``…) are kept as they are when the choice is saved again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

METADATA_PREFIX = "scientificMetadata."
MAX_COLUMNS = 40


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str = "text"  # how a cell is drawn (templates/_columns.html)
    sort: str | None = None  # the list's sort key (search.SORTABLE)
    upstream_type: str = "standard"

    @property
    def metadata_key(self) -> str | None:
        if not self.name.startswith(METADATA_PREFIX):
            return None
        key = self.name[len(METADATA_PREFIX) :]
        return key.removesuffix(".value")


STANDARD: tuple[Column, ...] = (
    Column("pid", "PID", "pid", "pid"),
    Column("datasetName", "Name", "name", "name"),
    Column("runNumber", "Run number", "number", "run"),
    Column("sourceFolder", "Source folder", "folder", "folder"),
    Column("size", "Size", "size", "size"),
    Column("creationTime", "Start time (UTC)", "started", "start", "date"),
    Column("type", "Type", "type", "type"),
    Column("image", "Thumbnail", "image"),
    Column("proposalId", "Proposal ID", "proposal", "proposal"),
    Column("numberOfFiles", "Files", "number", "files"),
    Column("keywords", "Keywords", "list", upstream_type="list"),
    Column("description", "Description", "long", upstream_type="hovercontent"),
    Column("owner", "Owner", "text", "owner"),
    Column("ownerGroup", "Owner group", "text", "group"),
    Column("accessGroups", "Access groups", "list"),
    Column("ownerEmail", "Owner e-mail", "text"),
    Column("contactEmail", "Contact e-mail", "text"),
    Column("principalInvestigator", "Principal investigator", "text"),
    Column("creationLocation", "Location", "text", "location"),
    Column("startTime", "Start time", "time", upstream_type="date"),
    Column("endTime", "End time", "time", upstream_type="date"),
    Column("isPublished", "Published", "flag"),
    Column("sampleIds", "Sample", "list"),
)
BY_NAME: dict[str, Column] = {c.name: c for c in STANDARD}
DEFAULTS: tuple[str, ...] = (
    "pid",
    "datasetName",
    "runNumber",
    "sourceFolder",
    "size",
    "creationTime",
    "type",
    "image",
    "proposalId",
)


def metadata_column(key: str) -> Column:
    return Column(f"{METADATA_PREFIX}{key}.value", key, "metadata")


def column(name: str) -> Column | None:
    """The column of a saved name, or None when this frontend cannot show it."""
    if name in BY_NAME:
        return BY_NAME[name]
    if name.startswith(METADATA_PREFIX) and len(name) > len(METADATA_PREFIX):
        key = name[len(METADATA_PREFIX) :]
        return metadata_column(key.removesuffix(".value"))
    return None


def _ordered(entries: Sequence[Any]) -> list[Mapping[str, Any]]:
    usable = [(i, e) for i, e in enumerate(entries) if isinstance(e, Mapping)]
    usable = [(i, e) for i, e in usable if isinstance(e.get("name"), str)]

    def position(item: tuple[int, Mapping[str, Any]]) -> tuple[float, int]:
        order = item[1].get("order")
        if isinstance(order, (int, float)) and not isinstance(order, bool):
            return (float(order), item[0])
        return (float(item[0]), item[0])

    return [e for _, e in sorted(usable, key=position)]


class ColumnSet:
    """Reading and writing the upstream ``[{name, order, enabled, …}]`` list."""

    @staticmethod
    def enabled_names(entries: Sequence[Any]) -> list[str]:
        names = [
            str(e["name"])
            for e in _ordered(entries)
            if e.get("enabled") is not False and column(str(e["name"])) is not None
        ]
        return list(dict.fromkeys(names))[:MAX_COLUMNS]

    @staticmethod
    def all_names(entries: Sequence[Any]) -> list[tuple[str, bool]]:
        """Every showable saved column with its enabled flag, in the saved order."""
        seen: dict[str, bool] = {}
        for entry in _ordered(entries):
            name = str(entry["name"])
            if column(name) is not None and name not in seen:
                seen[name] = entry.get("enabled") is not False
        return list(seen.items())

    @staticmethod
    def to_settings(
        chosen: Sequence[tuple[str, bool]], previous: Iterable[Any]
    ) -> list[dict[str, Any]]:
        """The list to save: ``chosen`` in order, then the saved entries it does not show."""
        old = {
            str(e["name"]): dict(e)
            for e in previous
            if isinstance(e, Mapping) and isinstance(e.get("name"), str)
        }
        result: list[dict[str, Any]] = []
        for name, enabled in chosen:
            found = column(name)
            if found is None:
                continue
            entry = {**old.get(name, {}), "name": name, "enabled": enabled}
            entry["type"] = entry.get("type") or found.upstream_type
            if found.metadata_key is not None:
                entry.update(header=found.metadata_key, userAdded=True, tooltip=found.metadata_key)
            result.append(entry)
        shown = {name for name, _ in chosen}
        result += [e for name, e in old.items() if name not in shown and column(name) is None]
        for order, entry in enumerate(result):
            entry["order"] = order
        return result


def default_names(config_columns: Any) -> tuple[str, ...]:
    """The configured ``defaultDatasetsListSettings.columns``, else this frontend's defaults."""
    if isinstance(config_columns, list):
        names = ColumnSet.enabled_names(config_columns)
        if names:
            return tuple(names)
    return DEFAULTS


def resolve(names: Iterable[str]) -> list[Column]:
    found = [column(n) for n in names]
    return [c for c in found if c is not None]


def choices(current: Sequence[tuple[str, bool]]) -> list[tuple[Column, bool]]:
    """The chooser's rows: the current order, then every other standard column (hidden)."""
    listed = {name for name, _ in current}
    rows = [(c, enabled) for name, enabled in current if (c := column(name)) is not None]
    return rows + [(c, False) for c in STANDARD if c.name not in listed]
