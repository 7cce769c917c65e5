"""frontend.*: the web frontend serves its index, and its config points at the backend."""

from __future__ import annotations

import re
from typing import Any

from scicatlive.checks.context import CheckContext
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.clients.http import describe

# The SciCat frontend reads assets/config.json; scicatlive mounts its settings as
# assets/config.override.json, which wins where it exists; frontend-lite serves /config.json.
CONFIG_PATHS = ("/assets/config.override.json", "/assets/config.json", "/config.json")
NEEDS: frozenset[Any] = frozenset({"frontend"})


def _frontend_url(ctx: CheckContext) -> str:
    if ctx.target.frontend_url is None:
        raise CheckSkipped("no frontend URL (the profile has no frontend; --frontend-url)")
    return ctx.target.frontend_url


def frontend_index(ctx: CheckContext) -> str:
    url = _frontend_url(ctx)
    response = ctx.http(url).send("get the frontend index", "GET", "/")
    kind = response.headers.get("content-type", "")
    if response.status_code != 200 or "html" not in kind or "<html" not in response.text[:2000].lower():
        raise CheckFailed(f"get the frontend index {url}/: expected 200 text/html with an <html> page, got {response.status_code} {kind or 'no content type'}")
    return f"{url}/ serves an HTML index ({len(response.content)} bytes)"


def frontend_config(ctx: CheckContext) -> str:
    url = _frontend_url(ctx)
    http = ctx.http(url)
    seen = []
    for path in CONFIG_PATHS:
        response = http.send(f"get frontend {path}", "GET", path)
        if response.status_code != 200:
            seen.append(f"{path}: {describe(response)}")
            continue
        try:
            config = response.json()
        except ValueError:
            seen.append(f"{path}: not JSON")
            continue
        base = config.get("lbBaseURL") if isinstance(config, dict) else None
        if base is None:
            seen.append(f"{path}: no lbBaseURL")
            continue
        if str(base).rstrip("/") != ctx.target.backend_url:
            raise CheckFailed(f"frontend {path}: expected lbBaseURL {ctx.target.backend_url}, found {base!r}")
        return f"{path} points at the backend {ctx.target.backend_url}"
    raise CheckFailed(f"frontend config: expected lbBaseURL in one of {', '.join(CONFIG_PATHS)}, found: " + "; ".join(seen))


# The paging label SciCat's frontend shows: "1 – 25 of 40" (frontend-lite renders it on the server).
RANGE_LABEL = re.compile(r"\d+\s*[–-]\s*\d+\s+of\s+([\d,]+)")


def frontend_datasets(ctx: CheckContext) -> str:
    """The public datasets page lists as many datasets as the backend publishes."""
    url = _frontend_url(ctx)
    page = ctx.http(url).send("get the frontend's datasets page", "GET", "/datasets")
    if page.status_code != 200:
        raise CheckFailed(f"get {url}/datasets: expected 200, got {describe(page)}")
    found = RANGE_LABEL.search(page.text)
    if found is None:
        if "no datasets" in page.text.lower():
            shown = 0
        else:
            raise CheckSkipped("the page has no '1 – 25 of N' label (a frontend that renders in the browser)")
    else:
        shown = int(found.group(1).replace(",", ""))
    facet = ctx.http(ctx.target.backend_url).send(
        "count published datasets", "GET", "/api/v3/datasets/fullfacet", params={"fields": "{}", "facets": "[]"}
    )
    totals = facet.json()[0].get("all", []) if facet.status_code == 200 else None
    if totals is None:
        raise CheckFailed(f"count published datasets: {describe(facet)}")
    published = int(totals[0]["totalSets"]) if totals else 0
    if shown != published:
        raise CheckFailed(f"{url}/datasets: expected {published} published datasets (backend fullfacet), the page shows {shown}")
    if published == 0:
        raise CheckFailed(f"{url}/datasets lists no dataset: the stack is not seeded, or nothing is published")
    return f"{url}/datasets lists all {published} published datasets"


CHECKS = [
    Check("frontend.index", "the frontend serves its HTML index", frontend_index, needs=NEEDS),
    Check("frontend.config", "the frontend's config.json (lbBaseURL) points at the backend URL", frontend_config, needs=NEEDS),
    Check("frontend.datasets", "the public datasets page lists every published dataset", frontend_datasets, needs=NEEDS),
]
