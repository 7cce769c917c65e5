"""A view's sections, filled with what was read, in the order the page shows them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..formatting import metadata_rows
from ..models import Dataset
from .fields import Needs, Related, fill, needs_of
from .processing import Run, make_run, rank_runs, rule_text
from .spec import (
    DEFAULT_TITLES,
    WIDE_SECTIONS,
    FieldSpec,
    FieldsSection,
    LogsSection,
    MetadataSection,
    Section,
    View,
    ViewConfig,
)
from .values import Shown


@dataclass(frozen=True)
class Row:
    spec: FieldSpec
    shown: Shown


@dataclass
class Block:
    section: Section
    id: str
    title: str
    rows: list[Row] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return self.section.type

    @property
    def wide(self) -> bool:
        return self.section.type in WIDE_SECTIONS


@dataclass
class Group:
    """Narrow sections side by side in a grid, or one wide section."""

    wide: bool
    blocks: list[Block]


def view_needs(view: View) -> Needs:
    needs = needs_of(
        spec
        for section in view.sections
        if isinstance(section, FieldsSection)
        for spec in section.fields
    )
    if view.needs("related-documents"):
        needs = needs | Needs(sample=True, instrument=True, proposal=True)
    return needs


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


@dataclass(frozen=True)
class Loaded:
    """What the backend gave for the sections that need more than the dataset."""

    related: Related
    derived: list[Dataset] = field(default_factory=list)
    inputs: list[Dataset] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)


def build_blocks(view: View, config: ViewConfig, loaded: Loaded) -> list[Group]:
    taken: set[str] = set()
    groups: list[Group] = []
    dataset = loaded.related.dataset
    for section in view.sections:
        title = section.title or DEFAULT_TITLES[section.type]
        block = Block(section, _slug(title, taken), title)
        if isinstance(section, FieldsSection):
            block.rows = [Row(spec, fill(spec, loaded.related)) for spec in section.fields]
        elif section.type in ("processing", "statistics") and config.processing is not None:
            spec = config.processing
            block.runs = (
                rank_runs(loaded.derived, spec)
                if section.type == "processing"
                else [make_run(dataset, spec)]
            )
            block.extra = {"shells": spec.shells, "rule": rule_text(spec)}
        elif section.type == "inputs":
            known = {d.pid for d in loaded.inputs}
            block.extra = {
                "inputs": loaded.inputs,
                "hidden": [pid for pid in dataset.inputDatasets if pid not in known],
            }
        elif isinstance(section, LogsSection):
            block.extra = {"attachments": loaded.attachments[: section.limit]}
        elif isinstance(section, MetadataSection):
            block.extra = {
                "rows": metadata_rows(dataset.scientificMetadata),
                "collapsed": section.collapsed,
            }
        if groups and not block.wide and not groups[-1].wide:
            groups[-1].blocks.append(block)
        else:
            groups.append(Group(block.wide, [block]))
    return groups
