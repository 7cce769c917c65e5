"""Edit forms of records: what each form holds, who is offered it, and the bodies they send.

A dataset has three forms (``general``: name, description, keywords; ``metadata``: the
scientific metadata editor; ``share``: access groups and the users it is shared with), a
sample one (``characteristics``), a proposal one (``general``: title and abstract). Each
is shown only to users the backend will let change the record (see :mod:`.rights`); the
change itself is the upstream frontend's ``PATCH`` of the record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .config import FrontendConfig
from .forms import FieldErrors, Posted
from .metadata_form import Row, blank_rows, build_metadata, rows_from_form, rows_of
from .rights import Rights
from .session import Viewer

DATASET_FORMS = ("general", "metadata", "share")
MAX_TEXT = 10_000
MAX_ITEMS = 200
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
SPLIT = re.compile(r"[,;\n\r]+")


@dataclass
class Editing:
    """An open edit form: its values (as posted, or as stored) and its errors."""

    kind: str
    values: dict[str, Any] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    errors: FieldErrors = field(default_factory=FieldErrors)


def dataset_form_allowed(
    kind: str, config: FrontendConfig, rights: Rights, viewer: Viewer, dataset: Any
) -> bool:
    switch = {
        "general": config.editDatasetEnabled,
        "metadata": config.editMetadataEnabled,
        "share": config.shareEnabled,
    }.get(kind, False)
    return switch and rights.may_edit_dataset(viewer, dataset)


def _items(text: str) -> list[str]:
    return [part.strip() for part in SPLIT.split(text) if part.strip()]


def open_dataset_form(kind: str, dataset: Any) -> Editing:
    if kind == "general":
        return Editing(
            kind,
            {
                "datasetName": dataset.datasetName or "",
                "description": dataset.description or "",
                "keywords": ", ".join(dataset.keywords),
            },
        )
    if kind == "metadata":
        return Editing(kind, rows=rows_of(dataset.scientificMetadata))
    return Editing(
        kind,
        {
            "accessGroups": list(dataset.accessGroups),
            "sharedWith": list(dataset.sharedWith),
            "add_groups": "",
            "add_users": "",
        },
    )


def general_body(form: Posted) -> tuple[dict[str, Any], Editing]:
    """``{datasetName, description, keywords}`` as the upstream detail form saves them."""
    values = {
        "datasetName": form.get("datasetName").strip(),
        "description": form.get("description").strip(),
        "keywords": form.get("keywords"),
    }
    editing = Editing("general", values)
    keywords = list(dict.fromkeys(_items(values["keywords"])))
    for name in ("datasetName", "description"):
        if len(values[name]) > MAX_TEXT:
            editing.errors.add(name, f"At most {MAX_TEXT} characters")
    if len(keywords) > MAX_ITEMS:
        editing.errors.add("keywords", f"At most {MAX_ITEMS} keywords")
    body = {
        "datasetName": values["datasetName"],
        "description": values["description"],
        "keywords": keywords,
    }
    return body, editing


def metadata_body(
    form: Posted, stored: Mapping[str, Any] | None, kind: str = "metadata"
) -> tuple[dict[str, Any] | None, Editing]:
    """The metadata the editor describes, or None (and the rows to show again) when the
    visitor asked for another row or a value is wrong."""
    rows = rows_from_form(form)
    editing = Editing(kind, rows=rows)
    if form.get("action") == "add_row":
        editing.rows = rows + blank_rows(max((r.index for r in rows), default=-1) + 1, 1)
        return None, editing
    outcome = build_metadata(rows, stored)
    editing.errors = outcome.errors
    return (None if outcome.errors else outcome.metadata), editing


def share_body(form: Posted) -> tuple[dict[str, Any], Editing]:
    """``{accessGroups, sharedWith}``: the kept ones (ticked) and the ones added."""
    groups = form.getlist("keep_group") + _items(form.get("add_groups"))
    users = form.getlist("keep_user") + _items(form.get("add_users"))
    editing = Editing(
        "share",
        {
            "accessGroups": form.getlist("group"),
            "sharedWith": form.getlist("user"),
            "add_groups": form.get("add_groups"),
            "add_users": form.get("add_users"),
        },
    )
    for group in groups:
        if len(group) > 200 or any(c.isspace() for c in group):
            editing.errors.add("add_groups", f"Not a group name: {group[:60]!r}")
    for user in users:
        if not EMAIL.match(user):
            editing.errors.add("add_users", f"Not an e-mail address: {user[:60]!r}")
    if len(groups) > MAX_ITEMS or len(users) > MAX_ITEMS:
        editing.errors.add("add_groups", f"At most {MAX_ITEMS} groups and {MAX_ITEMS} users")
    body = {
        "accessGroups": list(dict.fromkeys(groups)),
        "sharedWith": list(dict.fromkeys(users)),
    }
    return body, editing


def proposal_body(form: Posted) -> tuple[dict[str, Any], Editing]:
    values = {"title": form.get("title").strip(), "abstract": form.get("abstract").strip()}
    editing = Editing("general", values)
    if not values["title"]:
        editing.errors.add("title", "A proposal needs a title")
    for name, text in values.items():
        if len(text) > MAX_TEXT:
            editing.errors.add(name, f"At most {MAX_TEXT} characters")
    return values, editing
