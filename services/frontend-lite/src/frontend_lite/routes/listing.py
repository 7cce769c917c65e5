"""Paged lists of datasets linked to one record (a proposal's, a sample's)."""

from __future__ import annotations

import asyncio
from typing import Any

from ..backend import BackendClient
from ..models import Dataset, parse_list
from ..paging import Paging

LINKED_PER_PAGE = 25


async def linked_datasets(
    client: BackendClient, token: str | None, page: int, where: dict[str, Any], what: str
) -> tuple[list[Dataset], Paging]:
    """``GET /datasets`` with a v3 filter: the visitor's own, shared and published datasets."""
    paging = Paging(page, LINKED_PER_PAGE, 0)
    found, counted = await asyncio.gather(
        client.get(
            "/datasets",
            token=token,
            what=what,
            filter={
                "where": where,
                "limits": {
                    "skip": paging.skip,
                    "limit": LINKED_PER_PAGE,
                    "order": "creationTime:desc",
                },
            },
        ),
        client.get("/datasets/count", token=token, what=what, filter={"where": where}),
    )
    total = int(counted.get("count", 0)) if isinstance(counted, dict) else 0
    return parse_list(Dataset, found, what), Paging(page, LINKED_PER_PAGE, total)
