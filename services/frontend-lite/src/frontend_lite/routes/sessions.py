"""A beamline session: every data collection of it, as ISPyB lists them, read from SciCat.

A session is not a SciCat record. scicatlive's mapping names it in each raw dataset's
metadata (``session``: ``<proposal>-<visit>``) and as the comment of the proposal's
measurement period; the configured ``session.key`` says which metadata key to match.

The processing runs of a session's collections are read with one query: the derived
datasets of the session's proposal, kept where an input is one of the collections (an
ISPyB processing run belongs to its collection's proposal). Asking for each collection
instead costs one request per collection, ten times as long at the `large` scale; it is
the fallback when the collections do not name one proposal.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from ..backend import BackendClient, segment
from ..deps import Backend, Renderer, Views, Visitor
from ..errors import PageError
from ..models import Dataset, MeasurementPeriod, Proposal, Sample, parse, parse_list
from ..views.fields import Related, fill, needs_of
from ..views.processing import Run, best_run, summary
from ..views.spec import ViewConfig
from ..views.values import Shown
from .records import RUN_FIELDS, derived_from_each, find_in, nothing, optional

router = APIRouter()
PROPOSAL_RUNS_LIMIT = 10_000


@dataclass(frozen=True)
class CollectionRow:
    dataset: Dataset
    cells: list[Shown]
    best: Run | None
    best_summary: list[tuple[str, str]]
    runs: int


def _by_id(records: list[Any]) -> dict[str, Sample]:
    samples = parse_list(Sample, records, "samples")
    return {sample.sampleId: sample for sample in samples}


async def _collections(
    client: BackendClient, token: str | None, key: str, name: str, limit: int
) -> list[Dataset]:
    # Metadata entries are {value, unit}; the containment keeps the query on the index.
    where = {"type": "raw", f"scientificMetadata.{key}.value": name}
    what = f"data collections of session {name}"
    reply = await client.get(
        "/datasets",
        token=token,
        what=what,
        filter={"where": where, "limits": {"limit": limit, "order": "startTime:asc"}},
    )
    return parse_list(Dataset, reply, what)


async def _rows(
    client: BackendClient, token: str | None, collections: list[Dataset], config: ViewConfig
) -> list[CollectionRow]:
    assert config.session is not None
    spec, processing = config.session, config.processing
    needs = needs_of(spec.columns)
    sample_ids = [d.sample for d in collections if d.sample]
    samples_reply, derived_by_input = await asyncio.gather(
        find_in(client, token, "samples", "sampleId", sample_ids, "samples of the session")
        if needs.sample and sample_ids
        else nothing(),
        _runs_by_input(client, token, collections) if processing is not None else nothing(),
    )
    samples = _by_id(samples_reply or [])
    containers: dict[str, Sample] = {}
    parent_ids = [s.parentSampleId for s in samples.values() if s.parentSampleId]
    if needs.container and parent_ids:
        containers = _by_id(
            await find_in(client, token, "samples", "sampleId", parent_ids, "containers")
        )
    rows = []
    for dataset in collections:
        sample = samples.get(dataset.sample or "")
        container = containers.get(sample.parentSampleId or "") if sample else None
        related = Related(dataset=dataset, sample=sample, container=container)
        runs = (derived_by_input or {}).get(dataset.pid, [])
        best = best_run(runs, processing) if processing else None
        shell = processing.best.shell if processing else ""
        rows.append(
            CollectionRow(
                dataset=dataset,
                cells=[fill(column, related) for column in spec.columns],
                best=best,
                best_summary=summary(best, shell, spec.best_statistics) if best else [],
                runs=len(runs),
            )
        )
    return rows


async def _runs_by_input(
    client: BackendClient, token: str | None, collections: list[Dataset]
) -> dict[str, list[Dataset]]:
    pids = [d.pid for d in collections]
    proposals = {d.proposal for d in collections}
    if len(proposals) != 1 or None in proposals:
        return await derived_from_each(client, token, pids, RUN_FIELDS)
    what = "processing of the session"
    reply = await client.get(
        "/datasets",
        token=token,
        what=what,
        filter={
            "where": {"type": "derived", "proposalId": proposals.pop()},
            "fields": RUN_FIELDS,
            "limits": {"limit": PROPOSAL_RUNS_LIMIT, "order": "creationTime:desc"},
        },
    )
    wanted = set(pids)
    runs: dict[str, list[Dataset]] = {pid: [] for pid in pids}
    for run in parse_list(Dataset, reply, what):
        for pid in run.inputDatasets:
            if pid in wanted:
                runs[pid].append(run)
    return runs


def _period(proposal: Proposal | None, name: str) -> MeasurementPeriod | None:
    if proposal is None:
        return None
    return next((m for m in proposal.MeasurementPeriodList if m.comment == name), None)


@router.get("/sessions/{name:path}")
async def session_page(
    request: Request, name: str, client: Backend, visitor: Visitor, render: Renderer, views: Views
) -> Response:
    if views.session is None:
        raise PageError(404, "No session view", "The view configuration has no session block.")
    token = visitor.token
    proposal_id = name.rsplit("-", 1)[0] if "-" in name else ""
    collections, proposal_reply = await asyncio.gather(
        _collections(client, token, views.session.key, name, views.session.limit),
        optional(client.get(f"/proposals/{segment(proposal_id)}", token=token, what="proposal"))
        if proposal_id
        else nothing(),
    )
    proposal = parse(Proposal, proposal_reply, "proposal") if proposal_reply else None
    period = _period(proposal, name)
    if not collections and period is None:
        raise PageError(
            404,
            "Not found",
            f"No session {name!r} is visible to you: no data collection names it, "
            "and no proposal lists it as a measurement period.",
        )
    rows = await _rows(client, token, collections, views)
    return render.render(
        request,
        "session.html",
        {
            "name": name,
            "proposal": proposal,
            "proposal_id": proposal.proposalId
            if proposal
            else (collections[0].proposal if collections else None),
            "period": period,
            "columns": views.session.columns,
            "rows": rows,
            "limit": views.session.limit,
            "processing": views.processing,
        },
        section="datasets",
    )
