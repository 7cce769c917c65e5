"""Deterministic identifiers: the same natural key always gives the same UUID.

Every id the seed produces (ISPyB ``externalId`` columns, SciCat pids, sample
ids, attachment ids) is a UUID version 5 of a per-facility namespace and the
entity's natural key, e.g. ``datacollection:/data/.../xtal-01_1``. Loading the
same recipe twice therefore addresses the same records instead of creating new
ones, and two facilities (sites) never share ids.
"""

from __future__ import annotations

import uuid
from functools import cache

_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/SciCatProject/scicatlive/seed")


@cache
def facility_namespace(site: str) -> uuid.UUID:
    return uuid.uuid5(_ROOT, site)


def stable_uuid(site: str, kind: str, natural_key: str) -> uuid.UUID:
    """The UUID of one entity: ``kind`` (e.g. ``proposal``) plus its natural key."""
    return uuid.uuid5(facility_namespace(site), f"{kind}:{natural_key}")
