"""The live path under load: lag from a collection written through MXCuBE's adapter to its
dataset in SciCat, and the follower's CPU, on a `lite-live` stack.

    python benchmarks/bench_live.py [--rates 6/min,60/min] [--duration 10m] [--stack hl-bench]
                                    [--mxcube-python .venv-mxcube/bin/python] [--keep]

Run by hand; needs a Docker engine and mxcubecore's virtualenv (tools/mxcube-driver/README.md).
It starts `lite-live` under its own stack name, free ports and state directory, seeds
``tiny``, waits for the sync service to catch up, then plays one simulated day per rate,
one after the other on the same stack. For each day:

* **lag**: SciCat's ``createdAt`` of each raw dataset minus the moment MXCuBE's last write
  of its collection returned (both clocks are this machine's), p50/p95/max; and the
  follower's own figure (ISPyB's ``endTime``, whole seconds, to the load), from its status;
* **CPU**: the sync service's CPU seconds over the day (its cgroup's CPU accounting), as
  cores on average and per collection; ISPyB's and SciCat's beside it.

The stack is taken down (volumes included) unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from scicatlive import Stack
from scicatlive.engine import default_engine
from scicatlive.simulate import SimulationOptions, SimulationReport, parse_duration, parse_rate
from scicatlive.sync.follow_state import percentile

MEASURED = ("sync", "ispyb-mock", "scicat-lite")


def cpu_seconds(stack: Stack, service: str) -> float:
    """CPU time the service's container has used, from its own cgroup (v2 ``cpu.stat``, else
    v1 ``cpuacct.usage``, as the container sees them)."""
    read = "cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpuacct/cpuacct.usage"
    text = default_engine().cli("exec", f"{stack.project}-{service}-1", "sh", "-c", read,
                                action=f"read {service}'s CPU time")  # fmt: skip
    usage = [line.split()[1] for line in text.splitlines() if line.startswith("usage_usec")]
    return int(usage[0]) / 1e6 if usage else int(text.split()[0]) / 1e9


def feed_head(stack: Stack) -> int:
    """ISPyB's change feed's last position now (the follower's own head may be a poll old)."""
    target = stack.target
    with httpx.Client(base_url=f"{target.ispyb_url}/ispyb/api/v1", timeout=30) as ispyb:
        token = ispyb.post("/auth/login", json={"login": "admin", "password": target.password("admin")}).json()
        ispyb.headers["Authorization"] = f"Bearer {token['token']}"
        head: int = ispyb.get("/changes", params={"after": "0", "limit": "1"}).raise_for_status().json()["head"]
    return head


def caught_up(stack: Stack, timeout: float = 600) -> float:
    started = time.monotonic()
    head = feed_head(stack)
    while time.monotonic() - started < timeout:
        state = stack.follow_state()
        if state is not None and state.phase == "following" and state.position >= head:
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError("the follower did not catch up")


def created_at(stack: Stack, report: SimulationReport) -> dict[str, datetime]:
    """SciCat's creation time of each raw dataset of the day's proposal, by dataset name."""
    target = stack.target
    with httpx.Client(base_url=f"{target.backend_url}/api/v3", timeout=60) as scicat:
        token = scicat.post("/auth/login", json={"username": "admin", "password": target.password("admin")}).json()
        scicat.headers["Authorization"] = f"Bearer {token['access_token']}"
        query = {"where": {"type": "raw", "proposalId": report.proposal}, "fields": ["datasetName", "createdAt"],
                 "limits": {"limit": 100000}}  # fmt: skip
        found = scicat.get("/datasets", params={"filter": json.dumps(query)}).raise_for_status().json()
    return {d["datasetName"]: datetime.fromisoformat(d["createdAt"]) for d in found}


def day(stack: Stack, rate: str, duration: float, python: Path | None) -> None:
    options = SimulationOptions(beamline="BioMAX", rate_per_minute=parse_rate(rate), duration_seconds=duration,
                                mxcube_python=python, seed=int(time.time()))  # fmt: skip
    before = {service: cpu_seconds(stack, service) for service in MEASURED}
    wall = time.monotonic()
    report = stack.simulate(options)
    drained = caught_up(stack)
    wall = time.monotonic() - wall
    used = {service: cpu_seconds(stack, service) - before[service] for service in MEASURED}
    created = created_at(stack, report)
    lags = sorted((created[c.natural_key.rsplit("/", 1)[1]] - c.written).total_seconds()
                  for c in report.collections if c.natural_key.rsplit("/", 1)[1] in created)  # fmt: skip
    state = stack.follow_state()
    own = state.lag("raw") if state else None
    print(f"\n### {rate} for {duration / 60:.0f} min: {len(report.collections)} collections "
          f"({report.rate_per_minute:.1f}/min played), {report.processings} processing runs; "
          f"caught up {drained:.1f} s after the day")  # fmt: skip
    print("| lag, collection written → raw dataset in SciCat | p50 | p95 | max | n |\n|---|---|---|---|---|")
    print(f"| measured (createdAt − MXCuBE's last write) | {percentile(lags, 50):.2f} s | {percentile(lags, 95):.2f} s "
          f"| {lags[-1]:.2f} s | {len(lags)} |")  # fmt: skip
    if own and own.count:
        print(f"| the follower's own (ISPyB endTime, whole s) | {own.p50:.1f} s | {own.p95:.1f} s | {own.max:.1f} s "
              f"| {own.count} (last {own.count}) |")  # fmt: skip
    print("\n| service | CPU over the day | average | per collection |\n|---|---|---|---|")
    for service, seconds in used.items():
        print(f"| {service} | {seconds:.1f} s | {seconds / wall * 100:.1f} % of a core | "
              f"{seconds / max(1, len(report.collections)) * 1000:.0f} ms |")  # fmt: skip


def exactly(stack: Stack) -> None:
    """The issue's "done when": SciCat holds exactly what ISPyB holds, and `check` passes."""
    target = stack.target
    counts = {}
    with httpx.Client(timeout=60) as http:
        token = http.post(f"{target.ispyb_url}/ispyb/api/v1/auth/login",
                          json={"login": "admin", "password": target.password("admin")}).json()["token"]  # fmt: skip
        for path in ("datacollections", "processings/auto-integrations"):
            answer = http.get(f"{target.ispyb_url}/ispyb/api/v1/{path}", params={"limit": "1"},
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
            counts[path] = answer.json()["total"]
        login = http.post(f"{target.backend_url}/api/v3/auth/login",
                          json={"username": "admin", "password": target.password("admin")}).json()  # fmt: skip
        for kind in ("raw", "derived"):
            answer = http.get(f"{target.backend_url}/api/v3/datasets/count", params={"filter": json.dumps({"where": {"type": kind}})},
                              headers={"Authorization": f"Bearer {login['access_token']}"})  # fmt: skip
            counts[kind] = answer.json()["count"]
    print(f"\nISPyB {counts['datacollections']} collections, {counts['processings/auto-integrations']} processing runs; "
          f"SciCat {counts['raw']} raw, {counts['derived']} derived datasets")  # fmt: skip
    report = stack.check()
    failed = [f"{r.id}: {r.message}" for r in report.failed]
    print(f"check: {report.counts()} in {report.seconds:.0f} s" + (f"; FAILED {failed}" if failed else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rates", default="6/min,60/min", help="comma-separated rates, one day each")
    parser.add_argument("--duration", default="10m", help="each day's length")
    parser.add_argument("--stack", default="hl-bench")
    parser.add_argument("--mxcube-python", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    args = parser.parse_args()
    duration = parse_duration(args.duration)
    os.environ.setdefault("SCICATLIVE_STATE_DIR", tempfile.mkdtemp(prefix="bench-live-"))
    stack = Stack("lite-live", name=args.stack, port_offset="auto")
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores; stack {args.stack} ({stack.project})")
    try:
        started = time.monotonic()
        stack.up(timeout=900, seed="tiny")
        print(f"up and seeded in {time.monotonic() - started:.0f} s; follower caught up {caught_up(stack):.1f} s later")
        for rate in args.rates.split(","):
            day(stack, rate.strip(), duration, args.mxcube_python)
        exactly(stack)
    finally:
        if not args.keep:
            stack.down(volumes=True)


if __name__ == "__main__":
    main()
