"""services.*: the stack's containers are healthy, and its URLs answer from the host."""

from __future__ import annotations

from scicatlive.checks.context import CheckContext
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.errors import ScicatliveError, ServiceError


def services_healthy(ctx: CheckContext) -> str:
    from scicatlive.runtime.status import status
    from scicatlive.stack.record import read_record

    name = ctx.target.stack
    if name is None:
        raise CheckSkipped("not a stack started here (no --stack)")
    try:
        states = {s.name: s for s in status(read_record(name))}
    except ScicatliveError as error:
        raise CheckFailed(f"cannot read the state of stack {name!r}: {error.message}") from None
    problems = []
    for service in ctx.target.services:
        state = states.get(service)
        if state is None:
            problems.append(f"{service}: expected a running container, found none")
        elif not state.ready:
            health = f", {state.health}" if state.health else ""
            problems.append(f"{service}: expected running and healthy, found {state.state}{health}")
    if problems:
        raise CheckFailed("; ".join(problems))
    return f"{len(ctx.target.services)} services running and healthy"


def services_urls(ctx: CheckContext) -> str:
    urls = dict(ctx.target.published_urls) or _given_urls(ctx)
    problems = []
    for name, url in sorted(urls.items()):
        http = ctx.http(url)
        try:
            response = http.send(f"probe {name}", "GET", "")
        except (CheckFailed, ServiceError) as error:
            problems.append(error.message)
            continue
        if response.status_code >= 500:
            problems.append(f"probe {name}: expected an answer below 500 from {url}, got {response.status_code}")
    if problems:
        raise CheckFailed("; ".join(problems))
    return f"{len(urls)} URLs answer: " + ", ".join(sorted(urls))


def _given_urls(ctx: CheckContext) -> dict[str, str]:
    target = ctx.target
    urls = {"backend": f"{target.backend_url}/api/v3/health"}
    if target.ispyb_url:
        urls["ispyb"] = f"{target.ispyb_url}/ispyb/api/v1/health"
    if target.frontend_url:
        urls["frontend"] = f"{target.frontend_url}/"
    return urls


CHECKS = [
    Check("services.healthy", "every service of the profile runs and is healthy (Docker)", services_healthy, needs=frozenset({"docker"})),
    Check("services.urls", "every published URL answers from the host", services_urls),
]
