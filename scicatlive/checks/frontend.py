"""frontend.*: the web frontend serves its index, and its config points at the backend."""

from __future__ import annotations

from typing import Any

from scicatlive.checks.context import CheckContext
from scicatlive.checks.http import describe
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped

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


CHECKS = [
    Check("frontend.index", "the frontend serves its HTML index", frontend_index, needs=NEEDS),
    Check("frontend.config", "the frontend's config.json (lbBaseURL) points at the backend URL", frontend_config, needs=NEEDS),
]
