"""Seeding benchmark: the `demo` recipe through scicatlive vs a sequential pyscicat loop.

    python benchmarks/bench_seed.py [--recipe demo] [--keep]

Starts its own lite stack (stack "bench-seed", ports +11000, its own state
directory), seeds the recipe with scicatlive, then uploads the same datasets
and origdatablocks again through pyscicat, one request after the other, under
fresh pids, into the same backend in the same run. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
import uuid

STACK = "bench-seed"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipe", default="demo")
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    args = parser.parse_args()
    os.environ.setdefault("SCICATLIVE_STATE_DIR", tempfile.mkdtemp(prefix="bench-seed-state-"))

    from scicatlive.runtime import lifecycle
    from scicatlive.stack.load import load_stack

    stack = load_stack("lite", stack=STACK, port_offset=11000)
    lifecycle.up(stack, timeout=300)
    try:
        print(json.dumps(run(args.recipe), indent=2))
    finally:
        if not args.keep:
            lifecycle.down(STACK, volumes=True)


def run(recipe: str) -> dict[str, object]:
    from scicatlive.clients.http import AsyncApi
    from scicatlive.clients.scicat import ScicatApi
    from scicatlive.mapping import MappingOptions, map_graph
    from scicatlive.progress import SilentReporter
    from scicatlive.seeding import generate, load_recipe
    from scicatlive.seeding.load import load_scicat
    from scicatlive.seeding.run import seed, stack_target

    target = stack_target(STACK)
    records = map_graph(generate(load_recipe(recipe)), MappingOptions(pid_prefix=target.pid_prefix))
    datasets = len(records.raw_datasets) + len(records.derived_datasets)

    backend = f"scicatlive-{STACK}-scicat-lite-1"
    cpu_before = server_cpu_seconds(backend)
    started = time.perf_counter()
    report = seed(target, recipe)
    whole_seed = time.perf_counter() - started
    seed_cpu = server_cpu_seconds(backend) - cpu_before

    async def scicat_only() -> float:
        # The SciCat half again, on the already-seeded stack: every record is checked and found.
        async with AsyncApi(target.scicat.url) as http:
            api = ScicatApi(http)
            await api.login(target.scicat.username, target.scicat.password)
            begin = time.perf_counter()
            await load_scicat(api, records, SilentReporter())
            return time.perf_counter() - begin

    reseed = asyncio.run(scicat_only())

    async def same_work_concurrently() -> float:
        # Exactly pyscicat's work below (each dataset and its origdatablock, fresh pids),
        # through scicatlive's client with its bounded concurrency.
        work = fresh_copies(records, "BENCHSL")
        async with AsyncApi(target.scicat.url) as http:
            api = ScicatApi(http)
            await api.login(target.scicat.username, target.scicat.password)
            begin = time.perf_counter()

            async def one(body: dict, block: dict) -> None:  # type: ignore[type-arg]
                await api.ensure_dataset(body)
                await api.ensure_origdatablock(body["pid"], block, dataset_is_new=True)

            raw = [item for item in work if item[0]["type"] == "raw"]
            derived = [item for item in work if item[0]["type"] == "derived"]
            for batch in (raw, derived):
                await asyncio.gather(*(one(body, block) for body, block in batch))
            return time.perf_counter() - begin

    concurrent_same = asyncio.run(same_work_concurrently())
    cpu_before = server_cpu_seconds(backend)
    sequential = pyscicat_upload(target, records)
    pyscicat_cpu = server_cpu_seconds(backend) - cpu_before
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "recipe": recipe,
        "datasets": datasets,
        "scicatlive_seed_s": round(whole_seed, 2),
        "scicatlive_reseed_scicat_s": round(reseed, 2),
        "pyscicat_sequential_s": round(sequential, 2),
        "scicatlive_same_work_as_pyscicat_s": round(concurrent_same, 2),
        "ratio_pyscicat_over_scicatlive_same_work": round(sequential / concurrent_same, 2),
        "ratio_pyscicat_over_scicatlive_whole_seed": round(sequential / whole_seed, 2),
        "backend_cpu_s_during_scicatlive_seed": round(seed_cpu, 1),
        "backend_cpu_s_during_pyscicat": round(pyscicat_cpu, 1),
        "created": {k: v.created for k, v in report.scicat.items()},
    }


def server_cpu_seconds(container: str) -> float:
    """CPU time the backend container has used (cgroup v1 cpuacct), to show who is the bottleneck."""
    import subprocess
    from pathlib import Path

    full_id = subprocess.run(["docker", "inspect", "-f", "{{.Id}}", container], capture_output=True, text=True).stdout.strip()
    usage = Path(f"/sys/fs/cgroup/cpuacct/docker/{full_id}/cpuacct.usage")
    return int(usage.read_text()) / 1e9 if usage.exists() else float("nan")


def fresh_copies(records, prefix: str) -> list[tuple[dict, dict]]:  # type: ignore[no-untyped-def, type-arg]
    """Every dataset body and its origdatablock body, under new pids."""
    fresh = {d.pid: f"{prefix}/{uuid.uuid4()}" for d in [*records.raw_datasets, *records.derived_datasets]}
    blocks = {b.datasetId: b for b in records.origdatablocks}
    copies = []
    for payload in [*records.raw_datasets, *records.derived_datasets]:
        body = payload.body()
        body["pid"] = fresh[payload.pid]
        if "inputDatasets" in body:
            body["inputDatasets"] = [fresh.get(p, p) for p in body["inputDatasets"]]
        block = blocks[payload.pid].body()
        block["datasetId"] = body["pid"]
        copies.append((body, block))
    return copies


def pyscicat_upload(target, records) -> float:  # type: ignore[no-untyped-def]
    """The same datasets and origdatablocks, uploaded the way a pyscicat script does."""
    from pyscicat.client import ScicatClient
    from pyscicat.model import CreateDatasetOrigDatablockDto, DataFile, DerivedDataset, RawDataset

    client = ScicatClient(base_url=f"{target.scicat.url}/api/v3", username=target.scicat.username,
                          password=target.scicat.password)
    def fields(model, body):  # type: ignore[no-untyped-def]
        return model(**{k: v for k, v in body.items() if k in model.model_fields})

    work = fresh_copies(records, "BENCHPY")
    started = time.perf_counter()
    for body, block in work:
        model = RawDataset if body["type"] == "raw" else DerivedDataset
        pid = client.datasets_create(fields(model, body))
        files = [DataFile(**f) for f in block["dataFileList"]]
        client.datasets_origdatablock_create(pid, CreateDatasetOrigDatablockDto(size=block["size"], dataFileList=files))
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
