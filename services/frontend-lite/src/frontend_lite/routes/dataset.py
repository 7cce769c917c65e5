"""One dataset: the Details tab shaped by its view, and the Datafiles, Related, Attachments tabs."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..backend import BackendClient, segment
from ..deps import Backend, Renderer, Views, Visitor
from ..errors import PageError
from ..models import Dataset, OrigDatablock, parse, parse_list
from ..paging import Paging, page_number
from ..views.blocks import Loaded, build_blocks, view_needs
from ..views.config import view_for
from ..views.spec import View, ViewConfig
from .records import (
    RUN_FIELDS,
    attachments_of,
    datasets_by_pid,
    derived_from,
    nothing,
    related_records,
)

router = APIRouter()

TABS = (
    ("details", "Details"),
    ("datafiles", "Datafiles"),
    ("related", "Related Datasets"),
    ("attachments", "Attachments"),
)
FILES_PER_PAGE = 100
RELATED_LIMIT = 100
RELATED_FIELDS = ["pid", "datasetName", "type", "creationTime", "startTime", "sourceFolder", "size"]


@router.get("/datasets/{pid:path}")
async def dataset_page(
    request: Request,
    pid: str,
    client: Backend,
    visitor: Visitor,
    render: Renderer,
    views: Views,
) -> Response:
    tab = request.query_params.get("tab", "details")
    if tab not in dict(TABS):
        raise PageError(
            400, "Unknown tab", f"There is no tab {tab!r}; choose one of {', '.join(dict(TABS))}."
        )
    what = f"dataset {pid}"
    dataset = parse(
        Dataset, await client.get(f"/datasets/{segment(pid)}", token=visitor.token, what=what), what
    )
    view = view_for(views, dataset)
    context: dict[str, Any] = {"dataset": dataset, "tab": tab, "tabs": TABS, "view": view}
    if tab == "details":
        context |= await _details(client, visitor.token, dataset, view, views)
    elif tab == "datafiles":
        context |= await _datafiles(request, client, visitor.token, dataset)
    elif tab == "related":
        context |= await _related(client, visitor.token, dataset)
    else:
        context["attachments"] = await attachments_of(client, visitor.token, dataset.pid)
    return render.render(request, "dataset.html", context, section="datasets")


async def _details(
    client: BackendClient, token: str | None, dataset: Dataset, view: View, config: ViewConfig
) -> dict[str, Any]:
    """Every backend call the view's sections need, all at once."""
    processing = config.processing
    related, derived, inputs, attachments = await asyncio.gather(
        related_records(client, token, dataset, view_needs(view)),
        derived_from(client, token, dataset.pid, processing.limit, RUN_FIELDS)
        if view.needs("processing") and processing is not None
        else nothing(),
        datasets_by_pid(client, token, dataset.inputDatasets[:RELATED_LIMIT], "input dataset")
        if view.needs("inputs")
        else nothing(),
        attachments_of(client, token, dataset.pid) if view.needs("logs") else nothing(),
    )
    loaded = Loaded(related, derived or [], inputs or [], attachments or [])
    return {
        "section_groups": build_blocks(view, config, loaded),
        "proposal": related.proposal,
        "sample": related.sample,
        "instrument": related.instrument,
    }


async def _datafiles(
    request: Request, client: BackendClient, token: str | None, dataset: Dataset
) -> dict[str, Any]:
    what = f"files of {dataset.pid}"
    reply = await client.get(
        f"/datasets/{segment(dataset.pid)}/origdatablocks", token=token, what=what
    )
    blocks = parse_list(OrigDatablock, reply, what)
    files = [f for block in blocks for f in block.dataFileList]
    paging = Paging(page_number(request.query_params.get("page")), FILES_PER_PAGE, len(files))
    return {
        "files": files[paging.skip : paging.skip + FILES_PER_PAGE],
        "file_count": len(files),
        "files_size": sum(f.size or 0 for f in files),
        "paging": paging,
    }


async def _related(client: BackendClient, token: str | None, dataset: Dataset) -> dict[str, Any]:
    inputs_found, derived = await asyncio.gather(
        datasets_by_pid(client, token, dataset.inputDatasets[:RELATED_LIMIT], "input dataset"),
        derived_from(client, token, dataset.pid, RELATED_LIMIT, fields=RELATED_FIELDS),
    )
    known = {d.pid for d in inputs_found}
    return {
        "inputs": inputs_found,
        # Inputs the visitor may not see (or that are gone) are still named.
        "hidden_inputs": [pid for pid in dataset.inputDatasets if pid not in known],
        "derived": derived,
        "related_limit": RELATED_LIMIT,
    }
