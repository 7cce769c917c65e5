"""Edit forms of samples (characteristics) and proposals (title and abstract), posted.

As the upstream frontend: ``PATCH /api/v3/samples/{id}`` with ``sampleCharacteristics``
(its metadata editor) and ``PATCH /api/v3/proposals/{id}`` with the changed properties.
Wrong values come back beside their fields; a 403 from the backend is "No access".
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..backend import segment
from ..deps import Backend, Renderer, Views, Visitor
from ..editing import Editing, metadata_body, proposal_body
from ..errors import PageError
from ..formatting import link_id
from ..forms import EXPIRED_FORM, FormRejected, Posted, read_edit_form, write_or_errors
from ..metadata_form import rows_of
from ..session import flash
from .proposals import get_proposal, render_proposal
from .samples import get_sample, render_sample

router = APIRouter()


async def _form(request: Request, expected: str) -> Posted:
    try:
        form = await read_edit_form(request)
    except FormRejected as error:
        raise PageError(400, "Form rejected", str(error)) from error
    if form.get("form") != expected:
        raise PageError(400, "Form rejected", f"Unknown form: expected {expected}.")
    return form


@router.post("/samples/{sample_id:path}")
async def post_sample_form(
    request: Request, sample_id: str, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    form = await _form(request, "characteristics")
    sample = await get_sample(client, visitor.token, sample_id)
    if not form.csrf_ok:
        editing = Editing("characteristics", rows=rows_of(sample.sampleCharacteristics))
        editing.errors.general.append(EXPIRED_FORM)
        return await render_sample(request, client, visitor, render, sample, editing, status=400)
    characteristics, editing = metadata_body(form, sample.sampleCharacteristics, "characteristics")
    if characteristics is not None:
        _, editing.errors = await write_or_errors(
            client,
            "PATCH",
            f"/samples/{segment(sample_id)}",
            {"sampleCharacteristics": characteristics},
            token=visitor.token,
            what=f"update sample {sample_id}",
        )
        if not editing.errors:
            flash(request, "Saved the characteristics.")
            return RedirectResponse(f"/samples/{link_id(sample_id)}", status_code=303)
    status = 400 if editing.errors else 200
    return await render_sample(request, client, visitor, render, sample, editing, status=status)


@router.post("/proposals/{proposal_id:path}")
async def post_proposal_form(
    request: Request,
    proposal_id: str,
    client: Backend,
    visitor: Visitor,
    render: Renderer,
    views: Views,
) -> Response:
    form = await _form(request, "general")
    proposal = await get_proposal(client, visitor.token, proposal_id)
    body, editing = proposal_body(form)
    if not form.csrf_ok:
        editing.errors.general.append(EXPIRED_FORM)
    if not editing.errors:
        _, editing.errors = await write_or_errors(
            client,
            "PATCH",
            f"/proposals/{segment(proposal_id)}",
            body,
            token=visitor.token,
            what=f"update proposal {proposal_id}",
        )
        if not editing.errors:
            flash(request, "Saved the proposal.")
            return RedirectResponse(f"/proposals/{link_id(proposal_id)}", status_code=303)
    return await render_proposal(
        request,
        client,
        visitor,
        render,
        proposal,
        editing,
        session_links=views.session is not None,
        status=400,
    )
