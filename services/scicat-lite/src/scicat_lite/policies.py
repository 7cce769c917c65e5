"""Policies, and what every new dataset does to them (``src/policies/*`` and the
dataset schema's ``pre('save')`` hook in ``src/datasets/datasets.module.ts`` at v5.2.1).

When a dataset is created, its ``classification`` becomes ``IN=medium,AV=<av>,CO=low``:
``av`` is the ``tapeRedundancy`` of the owner group's policy; without a policy it is read
from the incoming classification (``AV=`` up to the next comma, else ``low``) and a
default policy is created for the owner group, managed by the dataset's ``ownerEmail``.
Updates and replacements of a dataset leave its classification alone, as upstream.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import psycopg

from .checks import field
from .filters import Sql
from .store import Collection, Doc
from .timeutil import now_iso

POLICIES = Collection("policies")

POLICY_FIELDS = (
    field("ownerGroup", "string", not_empty=True),
    field("accessGroups", required=False, each="string"),
    field("instrumentGroup", "string", required=False),
    field("manager", "array", required=False),
    field("tapeRedundancy", "string", required=False),
    field("autoArchive", "boolean", required=False),
    field("autoArchiveDelay", "number", required=False),
    field("archiveEmailNotification", "boolean", required=False),
    field("archiveEmailsToBeNotified", "array", required=False),
    field("retrieveEmailNotification", "boolean", required=False),
    field("retrieveEmailsToBeNotified", "array", required=False),
    field("embargoPeriod", "number", required=False),
)
SCHEMA_DEFAULTS: dict[str, Any] = {
    "accessGroups": [],
    "isPublished": False,
    "manager": [],
    "tapeRedundancy": "low",
    "autoArchive": True,
    "autoArchiveDelay": 7,
    "archiveEmailNotification": False,
    "archiveEmailsToBeNotified": [],
    "retrieveEmailNotification": False,
    "retrieveEmailsToBeNotified": [],
    "embargoPeriod": 3,
}
_AV = re.compile(r"(?<=AV=)(.*?)(?=,)")


def new_policy(fields: dict[str, Any], username: str) -> Doc:
    now = now_iso()
    doc: Doc = {"_id": str(uuid.uuid4()), **SCHEMA_DEFAULTS, **fields}
    doc.update(
        {"createdBy": username, "updatedBy": username, "createdAt": now, "updatedAt": now, "__v": 0}
    )
    return doc


def policy_of(conn: psycopg.Connection, owner_group: str) -> Doc | None:
    found = POLICIES.find(conn, Sql("doc->>'ownerGroup' = %s", (owner_group,)), limit=1)
    return found[0] if found else None


def add_default_policy(
    conn: psycopg.Connection,
    owner_group: str,
    access_groups: list[str],
    owner_email: str,
    tape_redundancy: str,
    username: str,
) -> Doc | None:
    """``addDefaultPolicy``: nothing when the group already has a policy."""
    if policy_of(conn, owner_group) is not None:
        return None
    fields = {
        "ownerGroup": owner_group,
        "accessGroups": list(access_groups),
        "manager": owner_email.split(",") if owner_email else [""],
        "tapeRedundancy": tape_redundancy or "low",
        "autoArchive": False,
        "autoArchiveDelay": 7,
        "archiveEmailNotification": True,
        "retrieveEmailNotification": True,
        "archiveEmailsToBeNotified": [],
        "retrieveEmailsToBeNotified": [],
        "embargoPeriod": 3,
    }
    return POLICIES.insert(conn, new_policy(fields, username))


def classify_new_dataset(conn: psycopg.Connection, dataset: Doc) -> Doc:
    """The dataset save hook: set the classification, create the group's policy if missing."""
    policy = policy_of(conn, dataset["ownerGroup"])
    if policy is not None:
        availability = policy.get("tapeRedundancy") or "low"
    else:
        match = _AV.search(dataset.get("classification") or "")
        availability = match.group(0) if match else "low"
        add_default_policy(
            conn,
            dataset["ownerGroup"],
            dataset.get("accessGroups") or [],
            dataset.get("ownerEmail") or "",
            availability,
            dataset.get("createdBy") or "",
        )
    dataset["classification"] = f"IN=medium,AV={availability},CO=low"
    return dataset
