"""Seeding at the backend's speed, and the seed cache. Run by hand; prints JSON.

    python benchmarks/bench_seed.py rate [--recipe demo]     # backend create ceiling vs the seeder, one run
    python benchmarks/bench_seed.py split [--seconds 20]     # the ceiling, with each process's CPU per create
    python benchmarks/bench_seed.py memory [--recipe large] [--keep] [--cache]
                                                            # the seeder's peak RSS and time through the APIs
    python benchmarks/bench_seed.py cache [--recipe demo]    # new stack: seed through APIs, then from the cache

``rate``: on a fresh lite stack, a load generator creates raw datasets (the seed's own
payloads, fresh pids) from 32 concurrent connections for ``--seconds``: that is the
backend's create ceiling on this machine. Then the seeder loads the recipe's SciCat
records (SciCat only, so both measure the same backend) and its rate is records/s over
the load. Both run in the same process against the same stack, one after the other.
``split`` runs the same load generator and splits the machine's CPU time over it by process
(scicat-lite, PostgreSQL, the generator, Docker's proxy...), as milliseconds per create.
``memory`` runs ``scicatlive seed`` in a child process and reads its peak RSS; ``--keep``
leaves its stack (``bench-seed-memory``) for ``bench_checks.py --stack``, and ``--cache``
lets that seed save the seed cache, which ``cache`` then restores.
Stacks get free ports and their own state directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import httpx

CONNECTIONS = 32


def _stack(name: str) -> Any:
    os.environ.setdefault("SCICATLIVE_STATE_DIR", tempfile.mkdtemp(prefix="bench-seed-"))
    from scicatlive import Stack

    stack = Stack("lite", name=name)
    stack.up(seed=False, timeout=600)
    return stack


async def _ceiling(target: Any, bodies: list[dict[str, Any]], seconds: float) -> float:
    """Creates per second the backend sustains from CONNECTIONS concurrent clients."""
    from scicatlive.clients import scicat
    from scicatlive.clients.http import AsyncSession

    async with AsyncSession(target.backend_url, concurrency=CONNECTIONS) as session:
        await session.login(scicat.login("admin", target.password("admin")))
        done = 0
        deadline = time.perf_counter() + seconds

        async def worker(offset: int) -> None:
            nonlocal done
            index = offset
            while time.perf_counter() < deadline:
                body = {**bodies[index % len(bodies)], "pid": f"BENCH/{uuid.uuid4()}"}
                await session.run(scicat.create_dataset(body))
                done += 1
                index += CONNECTIONS

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(CONNECTIONS)))
        return done / (time.perf_counter() - started)


def rate(recipe: str, seconds: float) -> dict[str, Any]:
    from scicatlive.mapping import map_graph
    from scicatlive.seeding import generate, load_recipe
    from scicatlive.seeding.run import seed

    stack = _stack("bench-seed-rate")
    try:
        target = stack.target
        loaded = load_recipe(recipe)
        records = map_graph(
            generate(loaded), loaded.mapping_options(pid_prefix=target.seeding_pid_prefix)
        )
        bodies = [d.body() for d in records.raw_datasets[:500]]
        ceiling = asyncio.run(_ceiling(target, bodies, seconds))
        scicat_only = target.model_copy(update={"ispyb_url": None})
        started = time.perf_counter()
        report = seed(scicat_only, loaded)
        elapsed = time.perf_counter() - started
        created = sum(t.created for t in report.scicat.values())
        seeder = created / elapsed
        return {"ceiling_creates_per_s": round(ceiling, 1), "seeder_records_per_s": round(seeder, 1),
                "ratio_seeder_over_ceiling": round(seeder / ceiling, 3), "records": created,
                "seed_s": round(elapsed, 1)}  # fmt: skip
    finally:
        stack.down(volumes=True)


def _cpu_ticks_by_process() -> Counter[str]:
    """CPU time so far of every process on the machine in clock ticks, by name (Python ones by
    module or script)."""
    ticks: Counter[str] = Counter()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if name.startswith("python") and len(argv) > 2:
            name = argv[2].decode() if argv[1] == b"-m" else Path(argv[1].decode()).name
        ticks[name] += int(fields[11]) + int(fields[12])
    return ticks


def split(seconds: float) -> dict[str, Any]:
    from scicatlive.mapping import map_graph
    from scicatlive.seeding import generate, load_recipe

    stack = _stack("bench-seed-split")
    try:
        loaded = load_recipe("demo")
        records = map_graph(
            generate(loaded), loaded.mapping_options(pid_prefix=stack.target.seeding_pid_prefix)
        )
        bodies = [d.body() for d in records.raw_datasets[:500]]
        before, started = _cpu_ticks_by_process(), time.perf_counter()
        ceiling = asyncio.run(_ceiling(stack.target, bodies, seconds))
        spent, elapsed = _cpu_ticks_by_process() - before, time.perf_counter() - started
        per_second, creates = os.sysconf("SC_CLK_TCK"), ceiling * elapsed
        top = {
            name: round(1000 * used / per_second / creates, 2)
            for name, used in spent.most_common(8)
        }
        busy = sum(spent.values()) / per_second / elapsed
        return {"ceiling_creates_per_s": round(ceiling, 1), "cores_busy": round(busy, 2),
                "cpu_ms_per_create": top}  # fmt: skip
    finally:
        stack.down(volumes=True)


def memory(recipe: str, *, keep: bool = False, use_cache: bool = False) -> dict[str, Any]:
    stack = _stack("bench-seed-memory")
    command = [sys.executable, "-m", "scicatlive", "seed", recipe, "--stack", stack.name, "--json"]
    try:
        started = time.perf_counter()
        child = subprocess.run(
            command if use_cache else [*command, "--no-cache"],
            capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": os.getcwd()},
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        if child.returncode != 0:
            raise SystemExit(child.stderr)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        report = json.loads(child.stdout)
        records = sum(t["created"] for t in report["scicat"].values())
        # seed_s is the whole command; through_apis_s its seeding, without the seed cache's save.
        return {"recipe": recipe, "seed_s": round(elapsed, 1), "through_apis_s": report["seconds"],
                "peak_rss_mb": round(peak_kib / 1024, 1),
                "scicat_records": records, "ispyb_rows": sum(report["ispyb_rows_created"].values())}  # fmt: skip
    finally:
        if not keep:
            stack.down(volumes=True)


def cache(recipe: str) -> dict[str, Any]:
    figures: dict[str, Any] = {"recipe": recipe}
    for attempt in ("first", "second"):
        stack = _stack(f"bench-seed-cache-{attempt}")
        try:
            started = time.perf_counter()
            report = stack.seed(recipe)
            figures[f"{attempt}_s"] = round(time.perf_counter() - started, 1)
            figures[f"{attempt}_source"] = report.source
        finally:
            stack.down(volumes=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("rate", "split", "memory", "cache"))
    parser.add_argument("--recipe", default=None)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--keep", action="store_true", help="memory: leave the seeded stack running"
    )
    parser.add_argument(
        "--cache", action="store_true", help="memory: let the seed save the seed cache"
    )
    args = parser.parse_args()
    if args.what == "rate":
        figures = rate(args.recipe or "demo", args.seconds)
    elif args.what == "split":
        figures = split(args.seconds)
    elif args.what == "memory":
        figures = memory(args.recipe or "large", keep=args.keep, use_cache=args.cache)
    else:
        figures = cache(args.recipe or "demo")
    print(json.dumps({"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                      "httpx": httpx.__version__, **figures}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
