"""The datasets list, a dataset's tabs, and thumbnails."""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..backend import BackendError, BackendUnreachable, segment
from ..errors import PageError
from ..models import Attachment, Dataset, FacetCounts, Instrument, OrigDatablock, Proposal, Sample
from ..paging import Paging, page_number
from ..search import FACETS, PER_PAGE_CHOICES, DatasetQuery, QueryError
from .common import backend, pages, parse, parse_list, viewer

log = logging.getLogger(__name__)
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
THUMBNAIL_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
# Shown where a dataset has no image thumbnail: an empty, transparent picture.
NO_THUMBNAIL = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


@router.get("/")
@router.get("/datasets")
async def datasets_list(request: Request) -> Response:
    visitor = viewer(request)
    try:
        query = DatasetQuery.from_params(request.query_params)
    except QueryError as error:
        raise PageError(400, "Invalid filter", str(error)) from error
    published_only = not visitor.signed_in or query.public
    fields = query.fields(published_only=published_only)
    client = backend(request)
    found, facet_reply = await asyncio.gather(
        client.get(
            "/datasets/fullquery",
            token=visitor.token,
            what="search datasets",
            fields=fields,
            limits=query.limits(),
        ),
        client.get(
            "/datasets/fullfacet",
            token=visitor.token,
            what="count datasets",
            fields=fields,
            facets=list(FACETS),
        ),
    )
    datasets = parse_list(Dataset, found, "search datasets")
    try:
        counts = FacetCounts.from_reply(facet_reply, list(FACETS))
    except (ValueError, TypeError, KeyError) as error:
        raise BackendError(502, f"unexpected fullfacet reply: {error}", "count datasets") from error
    return pages(request).render(
        request,
        "datasets.html",
        {
            "datasets": datasets,
            "query": query,
            "counts": counts,
            "facets": FACETS,
            "paging": Paging(query.page, query.per_page, counts.total),
            "per_page_choices": PER_PAGE_CHOICES,
            "published_only": published_only,
        },
        section="datasets",
    )


async def _optional(coroutine: Any) -> Any:
    """A linked record that may be missing or hidden: None instead of an error page."""
    try:
        return await coroutine
    except BackendError as error:
        if error.status in (401, 403, 404):
            return None
        raise


@router.get("/datasets/{pid:path}")
async def dataset_page(request: Request, pid: str) -> Response:
    visitor = viewer(request)
    tab = request.query_params.get("tab", "details")
    if tab not in dict(TABS):
        raise PageError(
            400, "Unknown tab", f"There is no tab {tab!r}; choose one of {', '.join(dict(TABS))}."
        )
    client = backend(request)
    what = f"dataset {pid}"
    dataset = parse(
        Dataset, await client.get(f"/datasets/{segment(pid)}", token=visitor.token, what=what), what
    )
    context: dict[str, Any] = {"dataset": dataset, "tab": tab, "tabs": TABS}
    if tab == "details":
        context |= await _details(request, dataset)
    elif tab == "datafiles":
        context |= await _datafiles(request, dataset)
    elif tab == "related":
        context |= await _related(request, dataset)
    else:
        context |= await _attachments(request, dataset)
    return pages(request).render(request, "dataset.html", context, section="datasets")


async def _details(request: Request, dataset: Dataset) -> dict[str, Any]:
    client, token = backend(request), viewer(request).token

    async def none() -> None:
        return None

    proposal, sample, instrument = await asyncio.gather(
        _optional(
            client.get(f"/proposals/{segment(dataset.proposal)}", token=token, what="proposal")
        )
        if dataset.proposal
        else none(),
        _optional(client.get(f"/samples/{segment(dataset.sample)}", token=token, what="sample"))
        if dataset.sample
        else none(),
        _optional(
            client.get(
                f"/instruments/{segment(dataset.instrument)}", token=token, what="instrument"
            )
        )
        if dataset.instrument
        else none(),
    )
    return {
        "proposal": parse(Proposal, proposal, "proposal") if proposal else None,
        "sample": parse(Sample, sample, "sample") if sample else None,
        "instrument": parse(Instrument, instrument, "instrument") if instrument else None,
    }


async def _datafiles(request: Request, dataset: Dataset) -> dict[str, Any]:
    what = f"files of {dataset.pid}"
    reply = await backend(request).get(
        f"/datasets/{segment(dataset.pid)}/origdatablocks", token=viewer(request).token, what=what
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


async def _related(request: Request, dataset: Dataset) -> dict[str, Any]:
    client, token = backend(request), viewer(request).token

    async def inputs() -> Any:
        if not dataset.inputDatasets:
            return []
        where = {"pid": {"inq": dataset.inputDatasets[:RELATED_LIMIT]}}
        return await client.get(
            "/datasets",
            token=token,
            what="input datasets",
            filter={"where": where, "fields": RELATED_FIELDS},
        )

    derived_filter = {
        "where": {"inputDatasets": dataset.pid},
        "fields": RELATED_FIELDS,
        "limits": {"limit": RELATED_LIMIT, "order": "creationTime:desc"},
    }
    found_inputs, derived = await asyncio.gather(
        inputs(),
        client.get("/datasets", token=token, what="derived datasets", filter=derived_filter),
    )
    inputs_found = parse_list(Dataset, found_inputs, "input datasets")
    known = {d.pid for d in inputs_found}
    return {
        "inputs": inputs_found,
        # Inputs the visitor may not see (or that are gone) are still named.
        "hidden_inputs": [pid for pid in dataset.inputDatasets if pid not in known],
        "derived": parse_list(Dataset, derived, "derived datasets"),
        "related_limit": RELATED_LIMIT,
    }


async def _attachments(request: Request, dataset: Dataset) -> dict[str, Any]:
    what = f"attachments of {dataset.pid}"
    reply = await backend(request).get(
        f"/datasets/{segment(dataset.pid)}/attachments", token=viewer(request).token, what=what
    )
    return {"attachments": [_attachment_view(a) for a in parse_list(Attachment, reply, what)]}


def _decode_data_uri(uri: str | None) -> tuple[str, bytes] | None:
    if not uri or not uri.startswith("data:") or "," not in uri:
        return None
    header, _, payload = uri[5:].partition(",")
    kind = header.split(";")[0].strip().lower() or "text/plain"
    try:
        data = base64.b64decode(payload, validate=True) if ";base64" in header else payload.encode()
    except (binascii.Error, ValueError):
        return None
    return kind, data


def _attachment_view(attachment: Attachment) -> dict[str, Any]:
    decoded = _decode_data_uri(attachment.thumbnail)
    view: dict[str, Any] = {"attachment": attachment, "image": None, "text": None}
    if decoded and decoded[0] in THUMBNAIL_TYPES:
        view["image"] = attachment.thumbnail
    elif decoded and decoded[0].startswith("text/"):
        view["text"] = decoded[1].decode("utf-8", errors="replace")[:20_000]
    return view


@router.get("/thumbnails/{pid:path}")
async def thumbnail(request: Request, pid: str) -> Response:
    """The dataset's thumbnail picture, or an empty one: the list's images never break."""
    headers = {"Cache-Control": "private, max-age=300"}
    try:
        reply = await backend(request).get(
            f"/datasets/{segment(pid)}/thumbnail", token=viewer(request).token, what="thumbnail"
        )
    except (BackendError, BackendUnreachable) as error:
        log.info("thumbnail of %s: %s", pid, error)
        reply = None
    decoded = _decode_data_uri(reply.get("thumbnail") if isinstance(reply, dict) else None)
    if decoded and decoded[0] in THUMBNAIL_TYPES:
        return Response(decoded[1], media_type=decoded[0], headers=headers)
    return Response(NO_THUMBNAIL, media_type="image/svg+xml", headers=headers)
