"""Snapshots on disk: a folder of dumps and a manifest that says what they are and what they fit.

    <snapshots>/<name>/
        manifest.json     profile, stack, images, recipe, row counts, seed report, created time
        postgres.dump     pg_dump custom format        (scicat-lite's data)
        mariadb.sql.gz    mariadb-dump, gzipped         (the ISPyB mock's data)
        mongo.archive.gz  mongodump archive, gzipped    (upstream backend's data, `full`)

A snapshot is written into a temporary folder and renamed into place when complete, so a
folder with a manifest is always whole.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scicatlive.errors import ConfigError, StackError
from scicatlive.paths import display

MANIFEST = "manifest.json"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
FORMAT_VERSION = 1


class DataDump(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: str
    kind: str
    file: str
    bytes: int
    counts: dict[str, int] = Field(description="rows (documents) per table (collection) when saved")


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: int = FORMAT_VERSION
    name: str
    created: str
    scicatlive_version: str
    stack: str
    profile: str
    images: dict[str, str] = Field(description="service → image: the data services and the services that own their schema")
    recipe: str | None = None
    data: list[DataDump]
    seed_report: dict[str, Any] | None = Field(default=None, description="what seeding created (the seed cache)")


def check_name(name: str, where: str = "snapshot name") -> str:
    if not NAME_PATTERN.match(name):
        raise ConfigError(where, f"{name!r} is not a valid snapshot name: letters, digits, '.', '-' and '_', "
                                 "starting with a letter or digit")  # fmt: skip
    return name


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    try:
        return Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise StackError(f"no snapshot at {display(folder)}", hint="`scicatlive snapshot list` shows them") from None
    except (json.JSONDecodeError, ValidationError) as error:
        raise StackError(f"{display(path)}: damaged snapshot manifest ({str(error).splitlines()[0]})") from None


def list_manifests(root: Path) -> list[Manifest]:
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if (folder / MANIFEST).is_file():
            try:
                found.append(read_manifest(folder))
            except StackError:
                continue
    return found


@contextmanager
def writing(root: Path, name: str, *, replace: bool) -> Iterator[Path]:
    """A temporary folder to write a snapshot into; renamed to ``root/name`` when the block succeeds."""
    final = root / name
    if final.exists() and not replace:
        raise StackError(f"a snapshot named {name!r} exists already", hint="pick another name, or `scicatlive snapshot rm` it")
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        yield partial
        if final.exists():
            shutil.rmtree(final)
        partial.rename(final)
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    (folder / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")


def remove(root: Path, name: str) -> None:
    folder = root / check_name(name)
    if not (folder / MANIFEST).is_file():
        raise StackError(f"no snapshot named {name!r}", hint="`scicatlive snapshot list` shows them")
    shutil.rmtree(folder)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
