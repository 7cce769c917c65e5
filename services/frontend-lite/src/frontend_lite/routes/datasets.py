"""The datasets list, and the thumbnails its rows show."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from fastapi import APIRouter
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ..backend import BackendError, BackendUnreachable, segment
from ..deps import Backend, Renderer, Visitor
from ..errors import PageError
from ..models import Dataset, FacetCounts, parse_list
from ..paging import Paging
from ..search import FACETS, PER_PAGE_CHOICES, DatasetQuery, QueryError
from .records import THUMBNAIL_TYPES, decode_data_uri

log = logging.getLogger(__name__)
router = APIRouter()

ROWS_HEAD_START = 0.05  # seconds
# Shown where a dataset has no image thumbnail: an empty, transparent picture.
NO_THUMBNAIL = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


@router.get("/")
@router.get("/datasets")
async def datasets_list(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    """The rows as soon as ``fullquery`` answers; the counts (``fullfacet``) follow in the stream.

    The two calls overlap (the rows get a short head start). The page is sent in two parts: everything up to the
    table, then, when the facet counts arrive, the filters with their counts, the total and
    the paging (CSS puts them beside, above and below the table). A slow ``fullfacet`` thus
    delays the counts, not the datasets, as in SciCat's own frontend, which asks for both
    separately. An empty result waits for the counts and is sent whole.
    """
    try:
        query = DatasetQuery.from_params(request.query_params)
    except QueryError as error:
        raise PageError(400, "Invalid filter", str(error)) from error
    published_only = not visitor.signed_in or query.public
    fields = query.fields(published_only=published_only)
    rows = asyncio.ensure_future(
        client.get(
            "/datasets/fullquery",
            token=visitor.token,
            what="search datasets",
            fields=fields,
            limits=query.limits(),
        )
    )

    async def count() -> Any:
        # The rows get a head start: on a busy backend the costly facet query would
        # otherwise slow down the cheap one that the page shows first.
        await asyncio.wait([rows], timeout=ROWS_HEAD_START)
        return await client.get(
            "/datasets/fullfacet",
            token=visitor.token,
            what="count datasets",
            fields=fields,
            facets=list(FACETS),
        )

    facets = asyncio.ensure_future(count())
    try:
        datasets = parse_list(Dataset, await rows, "search datasets")
    except BaseException:
        facets.cancel()
        raise
    context = {
        "datasets": datasets,
        "query": query,
        "facets": FACETS,
        "per_page_choices": PER_PAGE_CHOICES,
        "published_only": published_only,
    }
    if not datasets:
        context |= _tail_context(query, await _counts(facets))
        return render.render(request, "datasets.html", context, section="datasets")
    page = render.text(
        request, "datasets.html", context | {"tail": TAIL_MARKER}, section="datasets"
    )
    head, _, end = page.partition(TAIL_MARKER)

    async def body() -> AsyncIterator[str]:
        yield head
        try:
            tail = _tail_context(query, await _counts(facets))
        except (BackendError, BackendUnreachable) as error:
            log.warning("datasets list: no counts: %s", error)
            tail = {"counts_error": str(error)}
        yield render.text(request, "_datasets_tail.html", context | tail, section="datasets")
        yield end

    return StreamingResponse(body(), media_type="text/html; charset=utf-8")


# Where the second part of the list goes (an HTML comment: harmless if ever left in).
TAIL_MARKER = Markup("<!-- the filters, counts and paging follow -->")


async def _counts(reply: Awaitable[Any]) -> FacetCounts:
    try:
        return FacetCounts.from_reply(await reply, list(FACETS))
    except (ValueError, TypeError, KeyError) as error:
        raise BackendError(502, f"unexpected fullfacet reply: {error}", "count datasets") from error


def _tail_context(query: DatasetQuery, counts: FacetCounts) -> dict[str, Any]:
    return {"counts": counts, "paging": Paging(query.page, query.per_page, counts.total)}


@router.get("/thumbnails/{pid:path}")
async def thumbnail(pid: str, client: Backend, visitor: Visitor) -> Response:
    """The dataset's thumbnail picture, or an empty one: the list's images never break."""
    headers = {"Cache-Control": "private, max-age=300"}
    try:
        reply = await client.get(
            f"/datasets/{segment(pid)}/thumbnail", token=visitor.token, what="thumbnail"
        )
    except (BackendError, BackendUnreachable) as error:
        log.info("thumbnail of %s: %s", pid, error)
        reply = None
    decoded = decode_data_uri(reply.get("thumbnail") if isinstance(reply, dict) else None)
    if decoded and decoded[0] in THUMBNAIL_TYPES:
        return Response(decoded[1], media_type=decoded[0], headers=headers)
    return Response(NO_THUMBNAIL, media_type="image/svg+xml", headers=headers)
