"""ispyb.*: the ISPyB mock keeps its contract: auth, pagination, and the puck capacity rule."""

from __future__ import annotations

from collections import Counter
from typing import Any

from scicatlive.checks.context import ADMIN, CheckContext
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.clients.http import Session, describe
from scicatlive.clients.ispyb import ISPYB_API

CAPACITY = {"Unipuck": 16, "Spinepuck": 10}
MAX_LIMIT = 1000
PAGE_SIZES = (7, 50)
NEEDS: frozenset[Any] = frozenset({"ispyb"})


def ispyb_auth(ctx: CheckContext) -> str:
    anonymous = ctx.ispyb()
    problems = []
    health = anonymous.send("ISPyB health without a token", "GET", f"{ISPYB_API}/health")
    if health.status_code != 200:
        problems.append(f"ISPyB health without a token: expected 200, got {describe(health)}")
    for label, token in (("without a token", None), ("with a forged token", "not.a.jwt")):
        response = anonymous.as_token(token).send(f"list proposals {label}", "GET", f"{ISPYB_API}/proposals")
        if response.status_code != 401:
            problems.append(f"list proposals {label}: expected 401, got {describe(response)}")
    wrong = anonymous.send("log in with a wrong password", "POST", f"{ISPYB_API}/auth/login",
                           body={"plugin": "dummy", "login": ADMIN, "password": "wrong-" + ctx.run_id})  # fmt: skip
    if wrong.status_code != 401:
        problems.append(f"log in to ISPyB as {ADMIN} with a wrong password: expected 401, got {describe(wrong)}")
    ctx.require_accounts(ADMIN)
    ctx.ispyb(ADMIN).expect(f"list proposals as {ADMIN}", "GET", f"{ISPYB_API}/proposals", status=(200,))
    if problems:
        raise CheckFailed("; ".join(problems))
    return "health is open; routes refuse a missing or forged token and a wrong password (401); a login works"


def _page(client: Session, path: str, skip: int, limit: int) -> dict[str, Any]:
    page: dict[str, Any] = client.expect(f"read {path} skip={skip} limit={limit}", "GET", f"{ISPYB_API}/{path}",
                                         params={"skip": str(skip), "limit": str(limit)}, status=(200,))  # fmt: skip
    return page


def ispyb_pagination(ctx: CheckContext) -> str:
    ctx.require_accounts(ADMIN)
    client = ctx.ispyb(ADMIN)
    problems: list[str] = []
    for path, key in (("proposals", "proposalId"), ("samples", "blSampleId")):
        everything = _page(client, path, 0, MAX_LIMIT)
        total = everything.get("total")
        ids = [row.get(key) for row in everything.get("results") or []]
        if not isinstance(total, int) or (total <= MAX_LIMIT and total != len(ids)):
            problems.append(f"{path}: expected total = number of rows ({len(ids)}), found total {total!r}")
            continue
        for size in PAGE_SIZES:
            paged: list[Any] = []
            while len(paged) < min(total, MAX_LIMIT):
                page = _page(client, path, len(paged), size)
                rows = page.get("results") or []
                if page.get("total") != total:
                    problems.append(f"{path} skip={len(paged)} limit={size}: expected total {total}, found {page.get('total')!r}")
                if not rows or len(rows) > size:
                    problems.append(f"{path} skip={len(paged)} limit={size}: expected 1..{size} rows, found {len(rows)}")
                    break
                paged += [row.get(key) for row in rows]
            if paged[: len(ids)] != ids[: len(paged)] or len(set(paged)) != len(paged):
                problems.append(f"{path}: pages of {size} expected the same {len(ids)} rows in order, without repeats, found {len(paged)} ({len(set(paged))} distinct)")
    for limit in (0, MAX_LIMIT + 1):
        response = client.send(f"read proposals limit={limit}", "GET", f"{ISPYB_API}/proposals", params={"limit": str(limit)})
        if response.status_code != 422:
            problems.append(f"read proposals limit={limit}: expected 422 (limit is 1..{MAX_LIMIT}), got {response.status_code}")
    if problems:
        raise CheckFailed("; ".join(problems))
    return f"proposals and samples: totals match their rows; pages of {' and '.join(map(str, PAGE_SIZES))} cover them once; bad limits are 422"


def ispyb_puck_capacity(ctx: CheckContext) -> str:
    ctx.require_accounts(ADMIN)
    client = ctx.ispyb(ADMIN)
    containers = _page(client, "containers", 0, MAX_LIMIT).get("results") or []
    samples = _page(client, "samples", 0, MAX_LIMIT).get("results") or []
    problems: list[str] = []
    by_id = {c.get("containerId"): c for c in containers}
    for container in containers:
        wanted = CAPACITY.get(str(container.get("containerType")))
        if wanted is not None and container.get("capacity") != wanted:
            problems.append(f"container {container.get('barcode')}: expected a {container.get('containerType')} to hold {wanted}, found capacity {container.get('capacity')}")
    taken = Counter((s.get("containerId"), s.get("location")) for s in samples)
    for sample in samples:
        container = by_id.get(sample.get("containerId")) or sample.get("Container") or {}
        capacity, location = container.get("capacity"), sample.get("location")
        if isinstance(capacity, int) and isinstance(location, int) and not 1 <= location <= capacity:
            problems.append(f"sample {sample.get('name')}: expected location 1..{capacity} in {container.get('barcode')}, found {location}")
    problems += [f"container {c}: expected one sample per location, found {n} at location {loc}" for (c, loc), n in taken.items() if n > 1]
    probe = "" if ctx.read_only else _probe_capacity(client, containers, problems)
    if problems:
        raise CheckFailed("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
    if not containers:
        raise CheckSkipped("ISPyB holds no containers to check")
    return f"{len(containers)} pucks hold their type's capacity and {len(samples)} samples sit within it{probe}"


def _probe_capacity(client: Session, containers: list[dict[str, Any]], problems: list[str]) -> str:
    """Ask ISPyB to make a Unipuck hold 17: it must refuse (and is set back if it does not)."""
    unipuck = next((c for c in containers if c.get("containerType") == "Unipuck"), None)
    if unipuck is None:
        return ""
    path = f"{ISPYB_API}/containers/{unipuck['containerId']}"
    response = client.send("set a Unipuck's capacity to 17", "PATCH", path, body={"capacity": CAPACITY["Unipuck"] + 1})
    if response.status_code < 400 or response.status_code >= 500:
        problems.append(f"set Unipuck {unipuck.get('barcode')} capacity to 17: expected 4xx, got {describe(response)}")
        client.send("restore the Unipuck's capacity", "PATCH", path, body={"capacity": unipuck.get("capacity")})
    return "; a Unipuck of 17 is refused"


CHECKS = [
    Check("ispyb.auth", "ISPyB requires a valid token everywhere but /health, and refuses a wrong password", ispyb_auth, needs=NEEDS),
    Check("ispyb.pagination", "ISPyB list totals equal their rows, and skip/limit pages cover them exactly once", ispyb_pagination, needs=NEEDS),
    Check("ispyb.puck-capacity", "pucks hold 16 (Unipuck) or 10 (Spinepuck) and samples sit within; a Unipuck of 17 is refused", ispyb_puck_capacity, needs=NEEDS),
]
