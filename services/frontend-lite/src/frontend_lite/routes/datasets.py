"""The datasets list, and the thumbnails its rows show."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..backend import BackendError, BackendUnreachable, segment
from ..deps import Backend, Renderer, Visitor
from ..errors import PageError
from ..models import Dataset, FacetCounts, parse_list
from ..paging import Paging
from ..search import FACETS, PER_PAGE_CHOICES, DatasetQuery, QueryError
from .records import THUMBNAIL_TYPES, decode_data_uri

log = logging.getLogger(__name__)
router = APIRouter()

# Shown where a dataset has no image thumbnail: an empty, transparent picture.
NO_THUMBNAIL = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


@router.get("/")
@router.get("/datasets")
async def datasets_list(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    try:
        query = DatasetQuery.from_params(request.query_params)
    except QueryError as error:
        raise PageError(400, "Invalid filter", str(error)) from error
    published_only = not visitor.signed_in or query.public
    fields = query.fields(published_only=published_only)
    found, facet_reply = await asyncio.gather(
        client.get(
            "/datasets/fullquery",
            token=visitor.token,
            what="search datasets",
            fields=fields,
            limits=query.limits(),
        ),
        client.get(
            "/datasets/fullfacet",
            token=visitor.token,
            what="count datasets",
            fields=fields,
            facets=list(FACETS),
        ),
    )
    datasets = parse_list(Dataset, found, "search datasets")
    try:
        counts = FacetCounts.from_reply(facet_reply, list(FACETS))
    except (ValueError, TypeError, KeyError) as error:
        raise BackendError(502, f"unexpected fullfacet reply: {error}", "count datasets") from error
    return render.render(
        request,
        "datasets.html",
        {
            "datasets": datasets,
            "query": query,
            "counts": counts,
            "facets": FACETS,
            "paging": Paging(query.page, query.per_page, counts.total),
            "per_page_choices": PER_PAGE_CHOICES,
            "published_only": published_only,
        },
        section="datasets",
    )


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
