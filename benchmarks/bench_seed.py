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

    started = time.perf_counter()
    report = seed(target, recipe)
    whole_seed = time.perf_counter() - started

    async def scicat_only() -> float:
        # The SciCat half again, on the already-seeded stack: every record is checked and found.
        async with AsyncApi(target.scicat.url) as http:
            api = ScicatApi(http)
            await api.login(target.scicat.username, target.scicat.password)
            begin = time.perf_counter()
            await load_scicat(api, records, SilentReporter())
            return time.perf_counter() - begin

    reseed = asyncio.run(scicat_only())
    sequential = pyscicat_upload(target, records)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "recipe": recipe,
        "datasets": datasets,
        "scicatlive_seed_s": round(whole_seed, 2),
        "scicatlive_reseed_scicat_s": round(reseed, 2),
        "pyscicat_sequential_s": round(sequential, 2),
        "ratio_pyscicat_over_scicatlive_seed": round(sequential / whole_seed, 1),
        "created": {k: v.created for k, v in report.scicat.items()},
    }


def pyscicat_upload(target, records) -> float:  # type: ignore[no-untyped-def]
    """The same datasets and origdatablocks, uploaded the way a pyscicat script does."""
    from pyscicat.client import ScicatClient
    from pyscicat.model import CreateDatasetOrigDatablockDto, DataFile, DerivedDataset, RawDataset

    client = ScicatClient(base_url=f"{target.scicat.url}/api/v3", username=target.scicat.username,
                          password=target.scicat.password)
    fresh = {d.pid: f"BENCHPY/{uuid.uuid4()}" for d in [*records.raw_datasets, *records.derived_datasets]}
    blocks = {b.datasetId: b for b in records.origdatablocks}

    def fields(model, body):  # type: ignore[no-untyped-def]
        return model(**{k: v for k, v in body.items() if k in model.model_fields})

    started = time.perf_counter()
    for payload in [*records.raw_datasets, *records.derived_datasets]:
        body = payload.body()
        body["pid"] = fresh[payload.pid]
        if "inputDatasets" in body:
            body["inputDatasets"] = [fresh.get(p, p) for p in body["inputDatasets"]]
        model = RawDataset if body["type"] == "raw" else DerivedDataset
        pid = client.datasets_create(fields(model, body))
        block = blocks[payload.pid]
        files = [DataFile(**f.body()) for f in block.dataFileList]
        client.datasets_origdatablock_create(pid, CreateDatasetOrigDatablockDto(size=block.size, dataFileList=files))
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
