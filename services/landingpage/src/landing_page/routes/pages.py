"""``/``: every registered publication, newest first; ``/detail/{doi}``: one DOI's page.

The DOI's slash may arrive raw (``/detail/10.5072/abc``) or encoded (``%2F``), as upstream's
two routes (``detail/:id1/:id2`` and ``detail/:id``) accept.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from ..deps import AppSettings, Client, Renderer
from ..errors import UnknownDoi
from ..publication import build_view

router = APIRouter()


@router.get("/")
async def dashboard(settings: AppSettings, client: Client, pages: Renderer,
                    page: int = Query(1, ge=1, le=100000)) -> Response:
    items, total = await client.publications((page - 1) * settings.per_page, settings.per_page)
    count = max(1, math.ceil(total / settings.per_page))
    return pages.render("dashboard.html", {"items": items, "total": total, "page": page,
                                           "pages": count})


@router.get("/detail/{doi:path}")
async def detail(doi: str, request: Request, settings: AppSettings, client: Client,
                 pages: Renderer) -> Response:
    record = await client.publication(doi)
    if record is None:
        raise UnknownDoi(doi)
    pids = [str(p) for p in record.get("pidArray") or [] if isinstance(p, str)]
    found = await client.datasets(pids)
    view = build_view(record, found, settings.page, str(request.url),
                      settings.files_per_dataset)
    return pages.render("detail.html", {"view": view, "page_url": str(request.url)})
