"""Published data: the list and each record's public page (upstream's ``/publishedDatasets``).

The page of a record is its landing page in this frontend, readable by anyone once the
record is public or registered: DOI, title, abstract, creators, publisher, year and the
datasets, each linked. Its creator (or an admin) finds its workflow there, as upstream
offers it: a private record can be edited and published (``POST
/api/v4/publisheddata/{doi}/publish``), a public one registered (``…/register``), a
registered one amended (admins, ``…/amend``). The DOI is the backend's.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..backend import BackendClient, BackendError, segment
from ..deps import Backend, Renderer, Visitor
from ..errors import PageError
from ..formatting import link_id
from ..forms import EXPIRED_FORM, FieldErrors, FormRejected, read_edit_form, write_or_errors
from ..pages import Pages
from ..paging import Paging, page_number
from ..session import Viewer, flash
from .records import datasets_by_pid
from .selection import metadata_source, read_publication, render_publish_form, with_landing_page

router = APIRouter()
PER_PAGE = 25
ACTIONS = {
    "publish": "Published: its datasets are public now.",
    "register": "Registered: the DOI is final.",
    "amend": "Amended.",
}


@router.get("/publishedDatasets")
async def published_list(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    page = page_number(request.query_params.get("page"))
    limits = {"skip": (page - 1) * PER_PAGE, "limit": PER_PAGE, "order": "createdAt:desc"}
    found, counted = await asyncio.gather(
        client.get_v4(
            "/publisheddata", token=visitor.token, what="published data", filter={"limits": limits}
        ),
        client.get_v4("/publisheddata/count", token=visitor.token, what="count published data"),
    )
    total = int(counted.get("count", 0)) if isinstance(counted, dict) else 0
    return render.render(
        request,
        "published_list.html",
        {
            "records": [r for r in found if isinstance(r, dict)] if isinstance(found, list) else [],
            "paging": Paging(page, PER_PAGE, total),
        },
        section="published",
    )


async def read_record(client: BackendClient, token: str | None, doi: str) -> dict[str, Any]:
    what = f"published data {doi}"
    reply = await client.get_v4(f"/publisheddata/{segment(doi)}", token=token, what=what)
    if not isinstance(reply, dict) or not reply.get("doi"):
        raise BackendError(502, "unexpected reply: no doi", what)
    return reply


def landing_page_url(landing_page: str | None, doi: str) -> str:
    return f"{landing_page}{quote(doi, safe='')}" if landing_page else ""


async def render_record(
    request: Request,
    client: BackendClient,
    visitor: Viewer,
    render: Pages,
    record: dict[str, Any],
    *,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Response:
    pids = [p for p in record.get("datasetPids") or [] if isinstance(p, str)]
    datasets = await datasets_by_pid(client, visitor.token, pids, "published dataset")
    known = {d.pid for d in datasets}
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    return render.render(
        request,
        "published.html",
        {
            "record": record,
            "metadata": metadata,
            "datasets": datasets,
            "hidden": [p for p in pids if p not in known],
            "may_manage": render.rights.may_manage_published(visitor, record),
            "is_admin": render.rights.is_admin(visitor),
            "landing_url": landing_page_url(render.config.landingPage, str(record["doi"])),
            "errors": errors or FieldErrors(),
        },
        section="published",
        status_code=status,
    )


@router.get("/publishedDatasets/{doi:path}")
async def published_page(
    request: Request, doi: str, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    record = await read_record(client, visitor.token, doi)
    if request.query_params.get("edit") == "1" and _editable(render, visitor, record):
        return await _edit_form(request, client, visitor, render, record)
    return await render_record(request, client, visitor, render, record)


def _editable(render: Pages, visitor: Viewer, record: dict[str, Any]) -> bool:
    """Upstream offers Edit on private records, and on public ones to admins."""
    status = record.get("status")
    return (
        render.config.editPublishedData
        and render.rights.may_manage_published(visitor, record)
        and (status == "private" or (status == "public" and render.rights.is_admin(visitor)))
    )


async def _edit_form(
    request: Request,
    client: BackendClient,
    visitor: Viewer,
    render: Pages,
    record: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    metadata: Any = None,
    errors: FieldErrors | None = None,
    extra: dict[str, int] | None = None,
) -> Response:
    config, datasets = await asyncio.gather(
        client.get_v4("/publisheddata/config", token=visitor.token, what="publication settings"),
        datasets_by_pid(client, visitor.token, list(record.get("datasetPids") or []), "dataset"),
    )
    doi = str(record["doi"])
    return render_publish_form(
        request,
        render,
        values=values
        or {"title": record.get("title") or "", "abstract": record.get("abstract") or ""},
        schema=config.get("metadataSchema") if isinstance(config, dict) else None,
        metadata=record.get("metadata") if metadata is None else metadata,
        datasets=datasets,
        errors=errors or FieldErrors(),
        extra=extra,
        action=f"/publishedDatasets/{link_id(doi)}",
        heading=f"Edit {doi}",
        status=400 if errors else 200,
    )


@router.post("/publishedDatasets/{doi:path}")
async def published_action(
    request: Request, doi: str, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    try:
        form = await read_edit_form(request)
    except FormRejected as error:
        raise PageError(400, "Form rejected", str(error)) from error
    record = await read_record(client, visitor.token, doi)
    action = form.get("action")
    if not form.csrf_ok:
        errors = FieldErrors(general=[EXPIRED_FORM])
        return await render_record(
            request, client, visitor, render, record, errors=errors, status=400
        )
    if action == "save" or action.startswith("add:"):
        return await _save(request, client, visitor, render, record, form)
    if action not in ACTIONS:
        raise PageError(
            400, "Form rejected", "Unknown action: expected publish, register or amend."
        )
    try:
        await client.write(
            "POST",
            f"/publisheddata/{segment(doi)}/{action}",
            None,
            token=visitor.token,
            what=f"{action} {doi}",
            api="v4",
        )
    except BackendError as error:
        if error.status not in (400, 422):
            raise
        errors = FieldErrors(general=[f"The backend refused to {action} it: {error.message}"])
        return await render_record(
            request, client, visitor, render, record, errors=errors, status=400
        )
    flash(request, ACTIONS[action])
    return RedirectResponse(f"/publishedDatasets/{link_id(doi)}", status_code=303)


async def _save(
    request: Request,
    client: BackendClient,
    visitor: Viewer,
    render: Pages,
    record: dict[str, Any],
    form: Any,
) -> Response:
    """The edit form of a private record: ``PATCH /api/v4/publisheddata/{doi}``."""
    config = await client.get_v4(
        "/publisheddata/config", token=visitor.token, what="publication settings"
    )
    schema = config.get("metadataSchema") if isinstance(config, dict) else None
    values, metadata, errors = read_publication(form, schema)
    extra = {} if form.get("action") == "save" else {form.get("action")[4:]: 1}
    doi = str(record["doi"])
    if not errors and not extra:
        body = {
            "title": values["title"],
            "abstract": values["abstract"],
            "metadata": with_landing_page(metadata, render.config.landingPage),
        }
        _, errors = await write_or_errors(
            client,
            "PATCH",
            f"/publisheddata/{segment(doi)}",
            body,
            token=visitor.token,
            what=f"update {doi}",
            api="v4",
        )
        if not errors:
            flash(request, "Saved the publication.")
            return RedirectResponse(f"/publishedDatasets/{link_id(doi)}", status_code=303)
    return await _edit_form(
        request,
        client,
        visitor,
        render,
        record,
        values=values,
        metadata=metadata_source(form),
        errors=errors,
        extra=extra,
    )
