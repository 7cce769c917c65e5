"""Loading the view configuration, and choosing a dataset's view."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..models import Dataset
from .spec import SECTION_TYPES, GenericSection, MetadataSection, View, ViewConfig, When
from .values import lookup

# Shown when no configured view matches: SciCat's generic dataset details.
GENERIC_VIEW = View(
    name="generic",
    title=None,
    sections=[
        GenericSection(type="general"),
        GenericSection(type="creator"),
        GenericSection(type="files"),
        GenericSection(type="related-documents"),
        MetadataSection(type="metadata"),
    ],
)


class ViewConfigError(ValueError):
    """The view configuration cannot be used (the message names the file and the key)."""


def _where(loc: Sequence[int | str]) -> str:
    """``('views', 0, 'sections', 2, 'fields', 'fields', 1)`` → ``views[0].sections[2].fields[1]``."""
    text = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(previous, int) and part in SECTION_TYPES:
            pass  # pydantic names the union member it tried; the index already says where
        else:
            text += f".{part}" if text else part
        previous = part
    return text or "(top level)"


def parse_view_config(data: Any, source: str) -> ViewConfig:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ViewConfigError(f"{source}: must be a mapping with a views list")
    try:
        return ViewConfig.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{_where(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()
        ]
        raise ViewConfigError(f"{source}: " + "; ".join(problems)) from error


def load_view_config(path: Path) -> tuple[ViewConfig, str]:
    """The checked configuration and its text as written."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ViewConfigError(f"{path}: not found (set DATASET_VIEWS_FILE)") from error
    except OSError as error:
        raise ViewConfigError(f"{path}: cannot be read: {error.strerror}") from error
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ViewConfigError(f"{path}: not valid YAML{where}: {problem}") from error
    return parse_view_config(data, str(path)), text


def matches(when: When, dataset: Dataset) -> bool:
    if when.type is not None and (dataset.type or "") not in when.type:
        return False
    if when.keywords is not None and not set(when.keywords) & set(dataset.keywords):
        return False
    if when.techniques is not None:
        known = {
            t.get(k) for t in dataset.techniques for k in ("name", "pid") if isinstance(t, dict)
        }
        if not set(when.techniques) & known:
            return False
    if when.metadata is not None:
        return all(lookup(dataset.scientificMetadata, key) is not None for key in when.metadata)
    return True


def view_for(config: ViewConfig, dataset: Dataset) -> View:
    """The first configured view whose ``when`` holds; the generic view otherwise."""
    for view in config.views:
        if matches(view.when, dataset):
            return view
    return GENERIC_VIEW
