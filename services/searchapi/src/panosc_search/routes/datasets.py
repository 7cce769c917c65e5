"""``/api/Datasets``, and a dataset's files (``/api/Datasets/{pid}/files``, ``…/files/count``).

Dataset pids hold a ``/`` (``PID.SAMPLE.PREFIX/…``); clients send it encoded or not, so the
files routes are declared before the generic ``{pid:path}`` route and match on the suffix.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ..deps import CurrentSnapshot
from ..errors import NotFound
from ..filters import parse_filter, parse_where
from ..model import Node
from ..query import Runner
from ..resource import FILTER_HELP, collection_router

files_router = APIRouter(prefix="/api/Datasets", tags=["Datasets"])


def _dataset(snapshot: CurrentSnapshot, pid: str) -> Node:
    node = snapshot.catalogue.get("Dataset", pid)
    if node is None:
        raise NotFound("Dataset", pid)
    return node


@files_router.get("/{pid:path}/files/count", summary="Count a dataset's files")
async def count_files(
    pid: str, snapshot: CurrentSnapshot,
    where: str | None = Query(None, description="A LoopBack where object for File"),
) -> dict[str, int]:
    dataset = _dataset(snapshot, pid)
    condition = parse_where(where, "File")
    return {"count": Runner(snapshot.catalogue).count(dataset.linked("files"), condition)}


@files_router.get("/{pid:path}/files", summary="A dataset's files")
async def files(
    pid: str, snapshot: CurrentSnapshot,
    filter: str | None = Query(None, description=FILTER_HELP),
) -> list[dict[str, Any]]:
    dataset = _dataset(snapshot, pid)
    scope = parse_filter(filter, "File")
    runner = Runner(snapshot.catalogue)
    return [runner.render(f, scope) for f in runner.select(dataset.linked("files"), scope)]


router = collection_router("Dataset", "Datasets")
