"""A dataset's edit forms, posted: general information, scientific metadata, sharing.

Each form carries the CSRF token and is sent to the backend as upstream sends it
(``PATCH /api/v3/datasets/{pid}``). A wrong value is shown beside its field, with the
form as it was posted (status 400); the backend's own validation errors are shown the
same way. A 403 from the backend is the "No access" page; a user the page would not even
offer the form (anonymous, or without write rights) who posts it anyway meets the
backend's answer, never a shortcut of ours.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..backend import BackendClient, BackendError, segment
from ..deps import Backend, Renderer, Views, Visitor
from ..editing import Editing, general_body, metadata_body, open_dataset_form, share_body
from ..errors import PageError
from ..formatting import link_id
from ..forms import EXPIRED_FORM, FieldErrors, FormRejected, read_edit_form, write_or_errors
from ..pages import Pages
from ..session import Viewer, flash
from ..views.spec import ViewConfig
from .dataset import read_dataset, render_dataset

router = APIRouter()
SAVED = {
    "general": "Saved the general information.",
    "metadata": "Saved the scientific metadata.",
    "share": "Saved who the dataset is shared with.",
}


def dataset_url(pid: str, tab: str = "") -> str:
    return f"/datasets/{link_id(pid)}" + (f"?tab={tab}" if tab else "")


@router.post("/datasets/{pid:path}")
async def post_dataset_form(
    request: Request,
    pid: str,
    client: Backend,
    visitor: Visitor,
    render: Renderer,
    views: Views,
) -> Response:
    try:
        form = await read_edit_form(request)
    except FormRejected as error:
        raise PageError(400, "Form rejected", str(error)) from error
    kind = form.get("form")
    if kind not in SAVED:
        raise PageError(400, "Form rejected", "Unknown form: expected general, metadata or share.")
    dataset = await read_dataset(client, visitor.token, pid)
    if not form.csrf_ok:
        editing = Editing(kind)
        editing.errors.general.append(EXPIRED_FORM)
        return await _again(request, client, visitor, render, views, pid, editing, form_kind=kind)
    if kind == "general":
        body, editing = general_body(form)
    elif kind == "share":
        body, editing = share_body(form)
        if not editing.errors:
            await _check_users(client, visitor, body["sharedWith"], dataset.sharedWith, editing)
    else:
        metadata, editing = metadata_body(form, dataset.scientificMetadata)
        body = {"scientificMetadata": metadata} if metadata is not None else {}
    if editing.errors or not body:
        return await _again(request, client, visitor, render, views, pid, editing)
    _, editing.errors = await write_or_errors(
        client,
        "PATCH",
        f"/datasets/{segment(pid)}",
        body,
        token=visitor.token,
        what=f"update {pid}",
    )
    if editing.errors:
        return await _again(request, client, visitor, render, views, pid, editing)
    flash(request, SAVED[kind])
    return RedirectResponse(dataset_url(pid), status_code=303)


async def _again(
    request: Request,
    client: BackendClient,
    visitor: Viewer,
    render: Pages,
    views: ViewConfig,
    pid: str,
    editing: Editing,
    *,
    form_kind: str = "",
) -> Response:
    """The page with the form open again, as posted (or fresh, when the token expired)."""
    dataset = await read_dataset(client, visitor.token, pid)
    if form_kind:
        errors = editing.errors
        editing = open_dataset_form(form_kind, dataset)
        editing.errors = errors
    status = 400 if editing.errors else 200
    return await render_dataset(
        request, client, visitor, render, views, dataset, "details", editing, status=status
    )


async def _check_users(
    client: BackendClient,
    visitor: Viewer,
    users: list[str],
    already: list[str],
    editing: Editing,
) -> None:
    """New shares must name SciCat users (upstream's ``isValidEmail``); a backend that does
    not let this user ask (v5.2.1 keeps it for admins) is not asked."""
    errors = FieldErrors()
    for email in users:
        if email in already:
            continue
        try:
            known: Any = await client.get(
                "/useridentities/isValidEmail",
                token=visitor.token,
                what="check an e-mail address",
                filter={"where": {"profile.email": email}},
            )
        except BackendError as error:
            if error.status in (401, 403):
                return
            raise
        if known is False:
            errors.add("add_users", f"{email} is not the e-mail address of a SciCat user")
    editing.errors = errors
