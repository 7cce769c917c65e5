"""One PaNOSC collection as LoopBack exposes it: find (``filter``, ``query``), count, findById."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from .deps import AppSettings, CurrentSnapshot
from .errors import NotFound
from .filters import parse_filter, parse_where
from .query import Runner

FILTER_HELP = (
    'A LoopBack filter as JSON: {"where": …, "include": [{"relation": …, "scope": …}], '
    '"limit": n, "skip": n}; see the PaNOSC search API\'s doc/query.md'
)
QUERY_HELP = "Keywords; results get a relevance score and are sorted by it (README, Relevance)"
SCORED = frozenset({"Dataset", "Document"})


def find(snapshot: Any, kind: str, filter_text: str | None, query: str | None,
         keep_zero: bool) -> list[dict[str, Any]]:
    scope = parse_filter(filter_text, kind, query=query)
    runner = Runner(snapshot.catalogue)
    scores: dict[str, float] | None = None
    if scope.query and kind in SCORED:
        scores = snapshot.relevance[kind].scores(scope.query)
        if keep_zero:
            scores = {n.key: scores.get(n.key, 0.0) for n in snapshot.catalogue.all(kind)}
    chosen = runner.select(snapshot.catalogue.all(kind), scope, scores)
    return [
        runner.render(node, scope, (scores or {}).get(node.key, 0.0))
        for node in chosen
    ]


def collection_router(kind: str, path: str) -> APIRouter:
    router = APIRouter(prefix=f"/api/{path}", tags=[path])

    @router.get("", summary=f"Find {path} matched by filter")
    async def find_all(
        snapshot: CurrentSnapshot,
        settings: AppSettings,
        filter: str | None = Query(None, description=FILTER_HELP),
        query: str | None = Query(None, description=QUERY_HELP),
    ) -> list[dict[str, Any]]:
        return find(snapshot, kind, filter, query, settings.return_zero_score)

    @router.get("/count", summary=f"Count {path} matched by where")
    async def count(
        snapshot: CurrentSnapshot,
        where: str | None = Query(None, description="A LoopBack where object as JSON"),
    ) -> dict[str, int]:
        condition = parse_where(where, kind)
        return {"count": Runner(snapshot.catalogue).count(snapshot.catalogue.all(kind),
                                                          condition)}

    @router.get("/{pid:path}", summary=f"Find one {kind} by its pid")
    async def find_by_id(
        pid: str,
        snapshot: CurrentSnapshot,
        filter: str | None = Query(None, description=FILTER_HELP),
    ) -> dict[str, Any]:
        if pid.endswith(("/files", "/files/count")):
            raise NotFound(kind, pid)  # only Datasets has files (routes/datasets.py)
        node = snapshot.catalogue.get(kind, pid)
        if node is None:
            raise NotFound(kind, pid)
        scope = parse_filter(filter, kind)
        return Runner(snapshot.catalogue).render(node, scope, 0.0 if kind in SCORED else None)

    return router
