"""A recorded double of SciCat backend v5.2.1's v3 read routes, as the search services use them.

It reproduces the contract the services depend on, from the backend's code at v5.2.1:
- anonymous ``GET /publisheddata`` lists only ``status: registered`` (RegisteredFilterPipe);
  authenticated callers see everything; ``GET /publisheddata/:id`` answers 404 when unseen;
- ``filter.limits`` = ``{limit, skip, order: "field:asc|desc"}``, default limit 100
  (``parseLimitFilters``), so a reader that does not page loses records;
- anonymous ``GET /datasets`` sees only ``isPublished: true``; ``include: [{relation:
  "origdatablocks"}]`` embeds the blocks; unpublished ``/datasets/:pid`` → 403;
- anonymous ``GET /proposals/:id`` of an unpublished proposal → 403; ``/auth/login`` → 201;
- ``GET /health`` → 200.
Tests may change ``state`` between requests (publish, register) and switch it off (``down``).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from . import records

TOKEN = "double-token"


@dataclass
class State:
    published_data: list[dict[str, Any]] = field(
        default_factory=lambda: copy.deepcopy(records.PUBLISHED_DATA))
    datasets: list[dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(records.DATASETS))
    origdatablocks: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: copy.deepcopy(records.ORIGDATABLOCKS))
    instruments: list[dict[str, Any]] = field(
        default_factory=lambda: copy.deepcopy(records.INSTRUMENTS))
    samples: list[dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(records.SAMPLES))
    proposals: dict[str, dict[str, Any]] = field(
        default_factory=lambda: copy.deepcopy(records.PROPOSALS))
    requests: list[str] = field(default_factory=list)
    published_api: bool = True  # False: a backend from before the published-data API


def _filter(request: Request) -> dict[str, Any]:
    raw = request.query_params.get("filter")
    value = json.loads(raw) if raw else {}
    assert isinstance(value, dict)
    return value


def _matches(doc: dict[str, Any], where: dict[str, Any]) -> bool:
    for key, expected in where.items():
        if isinstance(expected, dict) and "$in" in expected:
            if doc.get(key) not in expected["$in"]:
                return False
        elif doc.get(key) != expected:
            return False
    return True


def _page(docs: list[dict[str, Any]], spec: dict[str, Any]) -> list[dict[str, Any]]:
    limits = spec.get("limits") or {}
    order = limits.get("order")
    if order:
        name, _, direction = order.partition(":")
        docs = sorted(docs, key=lambda d: str(d.get(name) or ""), reverse=direction == "desc")
    skip, limit = int(limits.get("skip", 0)), int(limits.get("limit", 100))
    return docs[skip:skip + limit]


def _authenticated(request: Request) -> bool:
    return request.headers.get("authorization") == f"Bearer {TOKEN}"


def create_double(state: State) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def record(request: Request, call_next: Any) -> Response:
        state.requests.append(f"{request.method} {request.url.path}?{request.url.query}")
        response: Response = await call_next(request)
        return response

    @app.middleware("http")
    async def without_published_data(request: Request, call_next: Any) -> Response:
        if not state.published_api and request.url.path.startswith("/api/v3/publisheddata"):
            return JSONResponse({"statusCode": 404, "message": "Cannot GET"}, status_code=404)
        response: Response = await call_next(request)
        return response

    @app.get("/api/v3/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v3/auth/login", status_code=201)
    async def login(request: Request) -> Any:
        body = await request.json()
        if body.get("username") != "proposalIngestor" or body.get("password") != "secret":
            return JSONResponse({"statusCode": 401, "message": "Unauthorized"}, status_code=401)
        return {"access_token": TOKEN, "id": TOKEN, "expires_in": 3600, "ttl": 3600}

    def visible_published(request: Request) -> list[dict[str, Any]]:
        if _authenticated(request):
            return state.published_data
        return [p for p in state.published_data if p["status"] == "registered"]

    @app.get("/api/v3/publisheddata")
    async def published(request: Request) -> Any:
        spec = _filter(request)
        docs = [d for d in visible_published(request) if _matches(d, spec.get("where") or {})]
        return _page(docs, spec)

    @app.get("/api/v3/publisheddata/count")
    async def published_count(request: Request) -> Any:
        return {"count": len(visible_published(request))}

    @app.get("/api/v3/publisheddata/{doi:path}")
    async def published_one(doi: str, request: Request) -> Any:
        for doc in visible_published(request):
            if doc["doi"] == doi:
                return doc
        return JSONResponse({"statusCode": 404, "message": "Not Found"}, status_code=404)

    def visible_datasets(request: Request) -> list[dict[str, Any]]:
        if _authenticated(request):
            return state.datasets
        return [d for d in state.datasets if d["isPublished"]]

    def with_blocks(dataset: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        relations = [i.get("relation") if isinstance(i, dict) else i
                     for i in spec.get("include") or []]
        if "origdatablocks" in relations:
            return {**dataset, "origdatablocks": state.origdatablocks.get(dataset["pid"], [])}
        return dataset

    @app.get("/api/v3/datasets")
    async def datasets(request: Request) -> Any:
        spec = _filter(request)
        docs = [d for d in visible_datasets(request) if _matches(d, spec.get("where") or {})]
        return [with_blocks(d, spec) for d in _page(docs, spec)]

    @app.get("/api/v3/datasets/count")
    async def datasets_count(request: Request) -> Any:
        spec = _filter(request)
        docs = [d for d in visible_datasets(request) if _matches(d, spec.get("where") or {})]
        return {"count": len(docs)}

    @app.get("/api/v3/datasets/{pid:path}")
    async def dataset(pid: str, request: Request) -> Any:
        if pid.endswith("/origdatablocks"):
            pid = pid.removesuffix("/origdatablocks")
            found = [d for d in state.datasets if d["pid"] == pid]
            if not found:
                return JSONResponse({"statusCode": 404}, status_code=404)
            if not (found[0]["isPublished"] or _authenticated(request)):
                return JSONResponse({"statusCode": 403, "message": "Forbidden resource"},
                                    status_code=403)
            return state.origdatablocks.get(pid, [])
        for doc in state.datasets:
            if doc["pid"] == pid:
                if doc["isPublished"] or _authenticated(request):
                    return doc
                return JSONResponse({"statusCode": 403, "message": "Unauthorized access"},
                                    status_code=403)
        return JSONResponse({"statusCode": 404}, status_code=404)

    @app.get("/api/v3/instruments")
    async def instruments(request: Request) -> Any:
        return _page(state.instruments, _filter(request))

    @app.get("/api/v3/samples")
    async def samples(request: Request) -> Any:
        spec = _filter(request)
        docs = [s for s in state.samples if s["isPublished"] or _authenticated(request)]
        return _page([s for s in docs if _matches(s, spec.get("where") or {})], spec)

    @app.get("/api/v3/proposals/{proposal_id:path}")
    async def proposal(proposal_id: str, request: Request) -> Any:
        found = state.proposals.get(proposal_id)
        if found is None:
            return JSONResponse({"statusCode": 404}, status_code=404)
        if not (found.get("isPublished") or _authenticated(request)):
            return JSONResponse({"statusCode": 403, "message": "Forbidden resource"},
                                status_code=403)
        return found

    return app
