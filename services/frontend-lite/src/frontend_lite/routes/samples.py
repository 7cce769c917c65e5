"""The samples list and a sample's page, with the ISPyB hierarchy and the puck layout."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from .. import ispyb_keys, puck
from ..backend import BackendError, segment
from ..models import Sample
from ..paging import Paging, page_number
from .common import backend, pages, parse, parse_list, viewer
from .listing import linked_datasets

router = APIRouter()
PER_PAGE = 25
MAX_CHILDREN = 500
MAX_ANCESTORS = 8


@router.get("/samples")
async def samples_list(request: Request) -> Response:
    visitor = viewer(request)
    text = request.query_params.get("text", "").strip()[:500]
    kind = request.query_params.get("type", "")
    kind = kind if kind in ispyb_keys.KINDS else ""
    page = page_number(request.query_params.get("page"))
    fields: dict[str, Any] = {}
    if text:
        fields["text"] = text
    if kind:
        fields["type"] = kind
    client = backend(request)
    found, counted = await asyncio.gather(
        client.get(
            "/samples/fullquery",
            token=visitor.token,
            what="search samples",
            fields=fields,
            limits={"skip": (page - 1) * PER_PAGE, "limit": PER_PAGE, "order": "createdAt:desc"},
        ),
        client.get("/samples/count", token=visitor.token, what="count samples", fields=fields),
    )
    total = int(counted.get("count", 0)) if isinstance(counted, dict) else 0
    return pages(request).render(
        request,
        "samples.html",
        {
            "samples": parse_list(Sample, found, "search samples"),
            "text": text,
            "kind": kind,
            "kinds": ispyb_keys.KINDS,
            "paging": Paging(page, PER_PAGE, total),
        },
        section="samples",
    )


async def _sample(request: Request, sample_id: str) -> Sample:
    what = f"sample {sample_id}"
    reply = await backend(request).get(
        f"/samples/{segment(sample_id)}", token=viewer(request).token, what=what
    )
    return parse(Sample, reply, what)


async def _ancestors(request: Request, sample: Sample) -> list[Sample]:
    """Shipment → dewar → puck above ``sample``, outermost first; hidden ones end the walk."""
    chain: list[Sample] = []
    seen = {sample.sampleId}
    parent = sample.parentSampleId
    while parent and parent not in seen and len(chain) < MAX_ANCESTORS:
        try:
            found = await _sample(request, parent)
        except BackendError as error:
            if error.status in (401, 403, 404):
                break
            raise
        chain.append(found)
        seen.add(parent)
        parent = found.parentSampleId
    return list(reversed(chain))


async def _children(request: Request, sample: Sample) -> list[Sample]:
    what = f"samples in {sample.sampleId}"
    reply = await backend(request).get(
        "/samples",
        token=viewer(request).token,
        what=what,
        filter={
            "where": {"parentSampleId": sample.sampleId},
            "limits": {"limit": MAX_CHILDREN, "order": "sampleName:asc"},
        },
    )
    return parse_list(Sample, reply, what)


@router.get("/samples/{sample_id:path}")
async def sample_page(request: Request, sample_id: str) -> Response:
    sample = await _sample(request, sample_id)
    kind = ispyb_keys.sample_kind(sample)
    ancestors, children, (datasets, paging) = await asyncio.gather(
        _ancestors(request, sample),
        _children(request, sample),
        linked_datasets(request, {"sampleId": sample.sampleId}, f"datasets of sample {sample_id}"),
    )
    if kind == "puck" or (kind is None and ispyb_keys.container_type(sample)):
        children = sorted(children, key=lambda c: (ispyb_keys.location(c) or 10**6, c.label))
        layout: puck.PuckLayout | None = puck.layout(sample, children)
    else:
        layout = None
    return pages(request).render(
        request,
        "sample.html",
        {
            "sample": sample,
            "kind": kind,
            "ancestors": ancestors,
            "children": children,
            "layout": layout,
            "datasets": datasets,
            "paging": paging,
            "max_children": MAX_CHILDREN,
            "location": ispyb_keys.location,
        },
        section="samples",
    )
