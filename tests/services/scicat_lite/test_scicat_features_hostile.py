"""Dummy and hostile input on every jobs, published data, policy, datablock, history and
lifecycle route: always an answer below 500."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from lite_harness import LiteServer

pytestmark = pytest.mark.database

PREFIXES = (
    "/api/v3/jobs",
    "/api/v4/jobs",
    "/api/v3/publisheddata",
    "/api/v4/publisheddata",
    "/api/v3/policies",
    "/api/v3/datablocks",
    "/api/v3/history",
)
BODIES = [
    {},
    [],
    "text",
    5,
    {"type": {"$gt": ""}, "jobParams": "x", "statusCode": 1},
    {"datasetList": [{"pid": 5}], "type": "archive", "jobParams": {"datasetList": "x"}},
    {"ownerGroupList": 5, "data": "x", "dataFileList": [{}], "metadata": []},
]
QUERIES = [
    {},
    {"filter": "{bad"},
    {"filter": json.dumps({"where": {"$where": "1"}})},
    {"filter": "[]"},
    {"fields": "{bad"},
    {"facets": "{}"},
    {"limits": "[1]"},
    {"filter": json.dumps({"limits": {"limit": -1, "skip": "a"}})},
    {"pid": ""},
    {"skip": "x", "limit": "y"},
    {"where": "{bad"},
]


def _routes() -> list[tuple[str, str]]:
    from scicat_lite.app import ROUTERS

    found = []
    for router in ROUTERS:
        for route in router.routes:
            path = getattr(route, "path", "")
            if path.startswith(PREFIXES) or path.endswith(
                ("/datablocks", "/datablocks/count", "/datablocks/{block_id}", "/datasetlifecycle")
            ):
                for method in sorted(getattr(route, "methods", set()) - {"HEAD"}):
                    found.append((method, re.sub(r"\{[^}]+\}", "no%2Fsuch", path)))
    return found


@pytest.mark.parametrize("who", ["anonymous", "admin", "user1"])
def test_no_route_answers_5xx(jobs_server: LiteServer, who: str) -> None:
    client = jobs_server.client(None if who == "anonymous" else who)
    failures = []
    for method, path in _routes():
        with_body = method in ("POST", "PATCH", "PUT")
        for query in QUERIES[:2] if with_body else QUERIES:
            for body in BODIES if with_body else [None]:
                response = client.request(
                    method,
                    path,
                    params=query,
                    content=None if body is None else json.dumps(body),
                    headers={"content-type": "application/json"},
                )
                if response.status_code >= 500:
                    failures.append(
                        (method, path, query, body, response.status_code, response.text[:200])
                    )
    assert not failures, failures[:5]
    assert isinstance(client, httpx.Client)
