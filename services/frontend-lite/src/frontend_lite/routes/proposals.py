"""The proposals list and a proposal's page."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..backend import BackendClient, segment
from ..deps import Backend, Renderer, Views, Visitor
from ..editing import Editing
from ..models import FacetCounts, Proposal, parse, parse_list
from ..pages import Pages
from ..paging import Paging, page_number
from ..session import Viewer
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
    proposal = await get_proposal(client, visitor.token, proposal_id)
    editing = None
    if request.query_params.get("edit") == "general" and render.rights.may_edit_proposal(visitor):
        editing = Editing(
            "general", {"title": proposal.title or "", "abstract": proposal.abstract or ""}
        )
    return await render_proposal(
        request, client, visitor, render, proposal, editing, session_links=views.session is not None
    )


async def get_proposal(client: BackendClient, token: str | None, proposal_id: str) -> Proposal:
    what = f"proposal {proposal_id}"
    reply = await client.get(f"/proposals/{segment(proposal_id)}", token=token, what=what)
    return parse(Proposal, reply, what)


async def render_proposal(
    request: Request,
    client: BackendClient,
    visitor: Viewer,
    render: Pages,
    proposal: Proposal,
    editing: Editing | None = None,
    *,
    session_links: bool,
    status: int = 200,
) -> Response:
    what = f"proposal {proposal.proposalId}"
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
            "session_links": session_links,
            "editing": editing,
            "may_edit": render.rights.may_edit_proposal(visitor),
        },
        section="proposals",
        status_code=status,
    )
