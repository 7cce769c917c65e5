"""A shipment: its parcels, containers and samples with their status, and the loading table."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from .. import ispyb_keys
from ..deps import Backend, Renderer, Views, Visitor
from ..errors import PageError
from ..formatting import link_id
from ..models import Instrument, Sample, parse_list
from ..views.shipping import assemble, characteristic
from .records import find_in, nothing
from .samples import get_sample

router = APIRouter()
COLLECTIONS_LIMIT = 10_000


@router.get("/shipments/{sample_id:path}")
async def shipment_page(
    request: Request,
    sample_id: str,
    client: Backend,
    visitor: Visitor,
    render: Renderer,
    views: Views,
) -> Response:
    token, spec = visitor.token, views.shipment
    shipment = await get_sample(client, token, sample_id)
    if ispyb_keys.sample_kind(shipment) != "shipment":
        raise PageError(
            404,
            "Not a shipment",
            f"Sample {shipment.label} is a {ispyb_keys.sample_kind(shipment) or shipment.type or 'sample'}, "
            f"not a shipment; see /samples/{link_id(shipment.sampleId)}.",
        )

    async def children(parents: list[Sample], what: str) -> list[Sample]:
        ids = [p.sampleId for p in parents]
        if not ids:
            return []
        return parse_list(
            Sample, await find_in(client, token, "samples", "parentSampleId", ids, what), what
        )

    parcels = await children([shipment], f"parcels of {shipment.label}")
    containers = await children(parcels, f"containers of {shipment.label}")
    beamlines = sorted({b for c in containers if (b := characteristic(c, spec.beamline))})
    crystals, instruments = await asyncio.gather(
        children(containers, f"samples of {shipment.label}"),
        find_in(client, token, "instruments", "uniqueName", beamlines, "instruments")
        if beamlines
        else nothing(),
    )
    # A sample's data collections are counted among its proposal's raw datasets: one query,
    # where asking for each sample would take one request per crystal.
    collected: list[Any] = []
    if crystals and shipment.proposalId:
        collected = await client.get(
            "/datasets",
            token=token,
            what="data collections",
            filter={
                "where": {"type": "raw", "proposalId": shipment.proposalId},
                "fields": ["pid", "sampleId", "type"],
                "limits": {"limit": COLLECTIONS_LIMIT, "order": "creationTime:desc"},
            },
        )
    counts: Counter[str] | None = Counter(
        str(d["sampleId"]) for d in collected if isinstance(d, dict) and d.get("sampleId")
    ) if shipment.proposalId else None  # fmt: skip
    view = assemble(
        shipment,
        parcels,
        containers,
        crystals,
        dict(counts) if counts is not None else None,
        parse_list(Instrument, instruments or [], "instruments"),
        spec,
    )
    return render.render(
        request,
        "shipment.html",
        {"view": view, "spec": spec, "characteristic": characteristic},
        section="samples",
    )
