"""The samples list and a sample's page, with the ISPyB hierarchy and the puck layout."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from .. import ispyb_keys, puck
from ..backend import BackendClient, BackendError, segment
from ..deps import Backend, Renderer, Visitor
from ..models import Sample, parse, parse_list
from ..paging import Paging, page_number
from .listing import linked_datasets

router = APIRouter()
PER_PAGE = 25
MAX_CHILDREN = 500
MAX_ANCESTORS = 8


@router.get("/samples")
async def samples_list(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    text = request.query_params.get("text", "").strip()[:500]
    kind = request.query_params.get("type", "")
    kind = kind if kind in ispyb_keys.KINDS else ""
    page = page_number(request.query_params.get("page"))
    fields: dict[str, Any] = {}
    if text:
        fields["text"] = text
    if kind:
        fields["type"] = kind
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
    return render.render(
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


async def get_sample(client: BackendClient, token: str | None, sample_id: str) -> Sample:
    what = f"sample {sample_id}"
    reply = await client.get(f"/samples/{segment(sample_id)}", token=token, what=what)
    return parse(Sample, reply, what)


async def ancestors(client: BackendClient, token: str | None, sample: Sample) -> list[Sample]:
    """Shipment → dewar → puck above ``sample``, outermost first; hidden ones end the walk."""
    chain: list[Sample] = []
    seen = {sample.sampleId}
    parent = sample.parentSampleId
    while parent and parent not in seen and len(chain) < MAX_ANCESTORS:
        try:
            found = await get_sample(client, token, parent)
        except BackendError as error:
            if error.status in (401, 403, 404):
                break
            raise
        chain.append(found)
        seen.add(parent)
        parent = found.parentSampleId
    return list(reversed(chain))


async def _children(client: BackendClient, token: str | None, sample: Sample) -> list[Sample]:
    what = f"samples in {sample.sampleId}"
    reply = await client.get(
        "/samples",
        token=token,
        what=what,
        filter={
            "where": {"parentSampleId": sample.sampleId},
            "limits": {"limit": MAX_CHILDREN, "order": "sampleName:asc"},
        },
    )
    return parse_list(Sample, reply, what)


@router.get("/samples/{sample_id:path}")
async def sample_page(
    request: Request, sample_id: str, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    token = visitor.token
    sample = await get_sample(client, token, sample_id)
    kind = ispyb_keys.sample_kind(sample)
    chain, children, (datasets, paging) = await asyncio.gather(
        ancestors(client, token, sample),
        _children(client, token, sample),
        linked_datasets(
            client,
            token,
            page_number(request.query_params.get("page")),
            {"sampleId": sample.sampleId},
            f"datasets of sample {sample_id}",
        ),
    )
    shipment = next((s for s in [*chain, sample] if ispyb_keys.sample_kind(s) == "shipment"), None)
    if kind == "puck" or (kind is None and ispyb_keys.container_type(sample)):
        children = sorted(children, key=lambda c: (ispyb_keys.location(c) or 10**6, c.label))
        layout: puck.PuckLayout | None = puck.layout(sample, children)
    else:
        layout = None
    return render.render(
        request,
        "sample.html",
        {
            "sample": sample,
            "kind": kind,
            "ancestors": chain,
            "shipment": shipment,
            "children": children,
            "layout": layout,
            "datasets": datasets,
            "paging": paging,
            "max_children": MAX_CHILDREN,
            "location": ispyb_keys.location,
        },
        section="samples",
    )
