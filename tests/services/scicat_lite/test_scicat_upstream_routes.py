"""scicat-lite routes every handler of backend v5.2.1's controllers, not only the SDK's.

The SDK conformance test (``test_scicat_conformance.py``) starts from scicat-sdk-py; this one
starts from upstream's own controllers at the pinned tag (``upstream_routes_v5_2_1.txt``).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from scicat_lite.app import ROUTERS

Route = tuple[str, str]
UPSTREAM_ROUTES = Path(__file__).with_name("upstream_routes_v5_2_1.txt")

_NO_OPENSEARCH = (
    "upstream mounts OpensearchModule only with OPENSEARCH_ENABLED=yes (datasets.module.ts); "
    "without it, as here, upstream answers 404 Cannot <METHOD> <path> too"
)
EXCEPTIONS: dict[Route, str] = {
    ("POST", "/api/v3/opensearch/create-index"): _NO_OPENSEARCH,
    ("POST", "/api/v3/opensearch/sync-database"): _NO_OPENSEARCH,
    ("POST", "/api/v3/opensearch/search"): _NO_OPENSEARCH,
    ("POST", "/api/v3/opensearch/delete-index"): _NO_OPENSEARCH,
    ("GET", "/api/v3/opensearch/get-index"): _NO_OPENSEARCH,
    ("POST", "/api/v3/opensearch/update-index"): _NO_OPENSEARCH,
}


def _shape(path: str) -> str:
    """Parameter names do not matter, and scicat-lite's routing ignores case."""
    return re.sub(r"\{[^}]+\}", "{}", path).lower()


def upstream_routes() -> list[Route]:
    routes: list[Route] = []
    for line in UPSTREAM_ROUTES.read_text().splitlines():
        entry = line.split("#", 1)[0].split()
        if entry:
            method, path = entry
            routes.append((method, path))
    return routes


@cache
def lite_routes() -> frozenset[Route]:
    return frozenset(
        (method, _shape(route.path))
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    )


def test_the_upstream_list_is_whole() -> None:
    routes = upstream_routes()
    assert len(routes) == len(set(routes)) == 221
    assert set(EXCEPTIONS) <= set(routes)


@pytest.mark.parametrize(
    "route", [r for r in upstream_routes() if r not in EXCEPTIONS], ids=" ".join
)
def test_upstream_route_is_routed(route: Route) -> None:
    method, path = route
    assert (method, _shape(path)) in lite_routes(), f"{method} {path} is not routed"


@pytest.mark.parametrize("route", list(EXCEPTIONS), ids=" ".join)
def test_exception_is_not_routed(route: Route) -> None:
    method, path = route
    assert (method, _shape(path)) not in lite_routes(), f"{method} {path} is routed now"
