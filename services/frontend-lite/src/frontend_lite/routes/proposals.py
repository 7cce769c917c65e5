"""The proposals list and a proposal's page."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..backend import segment
from ..deps import Backend, Renderer, Views, Visitor
from ..models import FacetCounts, Proposal, parse, parse_list
from ..paging import Paging, page_number
from .listing import linked_datasets

router = APIRouter()
PER_PAGE = 25


@router.get("/proposals")
async def proposals_list(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    text = request.query_params.get("text", "").strip()[:500]
    page = page_number(request.query_params.get("page"))
    fields = {"text": text} if text else {}
    found, facet_reply = await asyncio.gather(
        client.get(
            "/proposals/fullquery",
            token=visitor.token,
            what="search proposals",
            fields=fields,
            limits={"skip": (page - 1) * PER_PAGE, "limit": PER_PAGE, "order": "startTime:desc"},
        ),
        client.get(
            "/proposals/fullfacet",
            token=visitor.token,
            what="count proposals",
            fields=fields,
            facets=[],
        ),
    )
    counts = FacetCounts.from_reply(facet_reply, [])
    return render.render(
        request,
        "proposals.html",
        {
            "proposals": parse_list(Proposal, found, "search proposals"),
            "text": text,
            "paging": Paging(page, PER_PAGE, counts.total),
        },
        section="proposals",
    )


@router.get("/proposals/{proposal_id:path}")
async def proposal_page(
    request: Request,
    proposal_id: str,
    client: Backend,
    visitor: Visitor,
    render: Renderer,
    views: Views,
) -> Response:
    what = f"proposal {proposal_id}"
    reply = await client.get(f"/proposals/{segment(proposal_id)}", token=visitor.token, what=what)
    proposal = parse(Proposal, reply, what)
    datasets, paging = await linked_datasets(
        client,
        visitor.token,
        page_number(request.query_params.get("page")),
        {"proposalId": proposal.proposalId},
        f"datasets of {what}",
    )
    return render.render(
        request,
        "proposal.html",
        {
            "proposal": proposal,
            "datasets": datasets,
            "paging": paging,
            "session_links": views.session is not None,
        },
        section="proposals",
    )
