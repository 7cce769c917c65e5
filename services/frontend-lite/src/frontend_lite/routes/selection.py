"""The selection of datasets and the publish form (upstream's ``/datasets/selection`` and
``/datasets/selection/publish``).

Publishing, as the upstream frontend does it: the form is prefilled from ``GET
/api/v4/publisheddata/formpopulate?pid=…`` (title and abstract of the first dataset's
proposal, the metadata schema's defaults), its metadata fields come from the schema of
``GET /api/v4/publisheddata/config``; "Save" creates the record (``POST
/api/v4/publisheddata``, status ``private``, its DOI minted by the backend) and opens its
page, where it is published and registered.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..backend import BackendClient
from ..deps import Backend, Renderer, Visitor
from ..errors import PageError
from ..formatting import link_id
from ..forms import EXPIRED_FORM, FieldErrors, FormRejected, read_edit_form, write_or_errors
from ..pages import Pages
from ..schema_form import added_rows, build, metadata_from_form, posted_tree
from ..selection import MAX_SELECTED, load_selection, store_selection
from ..session import Viewer, flash, safe_next
from .records import datasets_by_pid

router = APIRouter()


def _signed_in(visitor: Viewer) -> None:
    if not visitor.signed_in:
        raise PageError(401, "Not logged in", "Log in to select and publish datasets.")


@router.get("/datasets/selection")
async def selection_page(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    _signed_in(visitor)
    pids = load_selection(request)
    found = await datasets_by_pid(client, visitor.token, pids, "selected dataset")
    known = {d.pid for d in found}
    return render.render(
        request,
        "selection.html",
        {
            "datasets": found,
            "missing": [p for p in pids if p not in known],
            "max_selected": MAX_SELECTED,
        },
        section="datasets",
    )


@router.post("/datasets/selection")
async def change_selection(request: Request, visitor: Visitor) -> Response:
    _signed_in(visitor)
    try:
        form = await read_edit_form(request)
    except FormRejected as error:
        raise PageError(400, "Form rejected", str(error)) from error
    back = safe_next(form.get("next"), "/datasets/selection")
    response = RedirectResponse(back, status_code=303)
    if not form.csrf_ok:
        flash(request, EXPIRED_FORM)
        return response
    current = load_selection(request)
    action, pids = form.get("action"), [p for p in form.getlist("pid") if p]
    if action == "add":
        wanted = current + [p for p in pids if p not in current]
        kept = wanted[:MAX_SELECTED]
        added = len(kept) - len(current)
        note = f"Added {added} dataset{'' if added == 1 else 's'} to the selection ({len(kept)} in all)."
        if len(wanted) > MAX_SELECTED:
            note += f" A selection holds at most {MAX_SELECTED} datasets."
        if not pids:
            note = "Tick the datasets to add first."
    elif action == "remove":
        kept = [p for p in current if p not in pids]
        note = "Removed from the selection."
    elif action == "clear":
        kept, note = [], "The selection is empty."
    else:
        raise PageError(400, "Form rejected", "Unknown action: expected add, remove or clear.")
    store_selection(request, response, kept)
    flash(request, note)
    return response


async def _publish_context(
    client: BackendClient, visitor: Viewer, pids: list[str]
) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    populated, config, datasets = await asyncio.gather(
        client.request(
            "GET",
            "/publisheddata/formpopulate",
            token=visitor.token,
            what="prefill the publication",
            api="v4",
            repeated=[("pid", p) for p in pids],
        ),
        client.get_v4("/publisheddata/config", token=visitor.token, what="publication settings"),
        datasets_by_pid(client, visitor.token, pids, "selected dataset"),
    )
    return (
        populated if isinstance(populated, dict) else {},
        config if isinstance(config, dict) else {},
        datasets,
    )


def render_publish_form(
    request: Request,
    render: Pages,
    *,
    values: dict[str, Any],
    schema: Any,
    metadata: Any,
    datasets: list[Any],
    errors: FieldErrors,
    extra: dict[str, int] | None = None,
    action: str = "/datasets/selection/publish",
    heading: str = "",
    status: int = 200,
) -> Response:
    form = build(schema, metadata, extra=extra) if schema else None
    return render.render(
        request,
        "publish.html",
        {
            "values": values,
            "form": form,
            "datasets": datasets,
            "errors": errors,
            "action": action,
            "heading": heading
            or f"Publish {len(datasets)} dataset{'' if len(datasets) == 1 else 's'}",
        },
        section="published",
        status_code=status,
    )


@router.get("/datasets/selection/publish")
async def publish_form(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    _signed_in(visitor)
    pids = load_selection(request)
    if not pids:
        flash(request, "Select the datasets to publish first.")
        return RedirectResponse("/datasets/selection", status_code=303)
    populated, config, datasets = await _publish_context(client, visitor, pids)
    values = {"title": populated.get("title") or "", "abstract": populated.get("abstract") or ""}
    return render_publish_form(
        request,
        render,
        values=values,
        schema=config.get("metadataSchema"),
        metadata=populated.get("metadata") or {},
        datasets=datasets,
        errors=FieldErrors(),
    )


@router.post("/datasets/selection/publish")
async def publish(
    request: Request, client: Backend, visitor: Visitor, render: Renderer
) -> Response:
    try:
        form = await read_edit_form(request)
    except FormRejected as error:
        raise PageError(400, "Form rejected", str(error)) from error
    pids = load_selection(request)
    if not pids:
        flash(request, "Select the datasets to publish first.")
        return RedirectResponse("/datasets/selection", status_code=303)
    config = await client.get_v4(
        "/publisheddata/config", token=visitor.token, what="publication settings"
    )
    schema = config.get("metadataSchema") if isinstance(config, dict) else None
    values, metadata, errors = read_publication(form, schema)
    extra = added_rows(form)
    if not form.csrf_ok:
        errors.general.append(EXPIRED_FORM)
    if not errors and not extra:
        body: dict[str, Any] = {
            "title": values["title"],
            "abstract": values["abstract"],
            "datasetPids": pids,
            "metadata": with_landing_page(metadata, render.config.landingPage),
        }
        created, errors = await write_or_errors(
            client,
            "POST",
            "/publisheddata",
            body,
            token=visitor.token,
            what="save the publication",
            api="v4",
        )
        if not errors:
            doi = str(created.get("doi") or created.get("_id") or "")
            response = RedirectResponse(f"/publishedDatasets/{link_id(doi)}", status_code=303)
            store_selection(request, response, [])
            flash(
                request, f"Saved the publication: its DOI is {doi}. Publish it, then register it."
            )
            return response
    datasets = await datasets_by_pid(client, visitor.token, pids, "selected dataset")
    return render_publish_form(
        request,
        render,
        values=values,
        schema=schema,
        metadata=metadata_source(form),
        datasets=datasets,
        errors=errors,
        extra=extra,
        status=400 if errors else 200,
    )


def read_publication(form: Any, schema: Any) -> tuple[dict[str, str], dict[str, Any], FieldErrors]:
    """Title, abstract (both required, as upstream's form) and the schema's metadata."""
    values = {"title": form.get("title").strip(), "abstract": form.get("abstract").strip()}
    metadata, errors = metadata_from_form(schema, form)
    for name in ("title", "abstract"):
        if not values[name]:
            errors.add(
                name, f"A publication needs {'a title' if name == 'title' else 'an abstract'}"
            )
    return values, metadata, errors


def metadata_source(form: Any) -> dict[str, Any]:
    """The posted metadata fields as the form's data, so that nothing typed is lost."""
    tree = _as_lists(posted_tree(form))
    return tree if isinstance(tree, dict) else {}


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    if isinstance(value, list):
        return all(_empty(v) for v in value)
    return not (isinstance(value, str) and value.strip())


def _as_lists(tree: Any) -> Any:
    """Posted ``{"0": …, "1": …}`` as lists, without the items left empty."""
    if not isinstance(tree, dict):
        return tree
    if tree and all(str(k).isdigit() for k in tree):
        items = [_as_lists(tree[k]) for k in sorted(tree, key=int)]
        return [i for i in items if not _empty(i)]
    return {k: _as_lists(v) for k, v in tree.items()}


def with_landing_page(metadata: dict[str, Any], landing_page: str | None) -> dict[str, Any]:
    """Upstream adds the configured landing page to the metadata it sends."""
    return {**metadata, "landingPage": landing_page} if landing_page else metadata
