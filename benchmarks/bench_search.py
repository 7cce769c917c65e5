"""Benchmark the search services at the ``demo`` recipe (run by hand; not part of the test-suite).

    python benchmarks/bench_search.py [--recipe demo] [--runs 40]

It generates the recipe's facility and maps it into SciCat records with scicatlive's own seeding
code, serves them from the recorded SciCat v5.2.1 double of the search tests (over HTTP on
loopback, with one registered published-data record per published dataset, as facilities that
mint a DOI per dataset do), starts ``python -m panosc_search`` and ``python -m oai_provider`` as
subprocesses (one uvicorn process each, as in their images) and measures:
- the search API's first snapshot (reading everything public and indexing it);
- PaNOSC queries: p50/p95 over ``--runs`` requests each, after one warm-up;
- a full ``ListRecords`` harvest (oai_dc, 100 records a page) with pyoai's client, and with
  oaipmh-scythe, three times each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "services/searchapi/src"), str(ROOT / "services/oaipmh/src")]

from oaipmh.client import Client
from oaipmh.metadata import MetadataRegistry, oai_dc_reader
from oaipmh_scythe import Scythe

from scicatlive.mapping import MappingOptions, map_graph
from scicatlive.seeding.generator import generate
from scicatlive.seeding.recipe import load_recipe
from tests.services.frontend_lite.frontend_harness import serve
from tests.services.search.scicat_double import State, create_double
from tests.support import free_port


def facility(recipe: str) -> State:
    loaded = load_recipe(recipe)
    payloads = map_graph(generate(loaded), MappingOptions.from_recipe(
        loaded, pid_prefix="PID.SAMPLE.PREFIX"))
    stamp = "2024-06-01T00:00:00.000Z"
    datasets = [{**d.model_dump(mode="json", exclude_none=True), "createdAt": stamp,
                 "updatedAt": stamp} for d in [*payloads.raw_datasets, *payloads.derived_datasets]]
    blocks: dict[str, list[dict[str, Any]]] = {}
    for block in payloads.origdatablocks:
        item = block.model_dump(mode="json", exclude_none=True)
        blocks.setdefault(item["datasetId"], []).append(item)
    published = []
    for n, dataset in enumerate(d for d in datasets if d.get("isPublished")):
        doi = f"10.9999/demo-{n:05d}"
        published.append({
            "doi": doi, "_id": doi, "title": dataset.get("datasetName") or doi,
            "abstract": dataset.get("description") or "", "dataDescription": "",
            "creator": [dataset.get("principalInvestigator") or "Unknown"], "authors": [],
            "publisher": "SciCat Live Light Source", "publicationYear": 2024,
            "resourceType": dataset.get("type", "raw"), "pidArray": [dataset["pid"]],
            "status": "registered", "registeredTime": stamp, "createdAt": stamp,
            "updatedAt": f"2024-06-{1 + n % 28:02d}T12:{n // 60 % 60:02d}:{n % 60:02d}.000Z",
        })
    proposals = {p.proposalId: p.model_dump(mode="json", exclude_none=True)
                 for p in payloads.proposals}
    return State(published_data=published, datasets=datasets, origdatablocks=blocks,
                 instruments=[{**i.model_dump(mode="json"), "_id": i.pid, "createdAt": stamp}
                              for i in payloads.instruments],
                 samples=[{**s.model_dump(mode="json", exclude_none=True), "createdAt": stamp}
                          for s in payloads.samples], proposals=proposals)


@contextmanager
def service(module: str, source: str, env: dict[str, str], port: int) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", module], env={**os.environ, **env, "PORT": str(port),
                                             "HOST": "127.0.0.1",
                                             "PYTHONPATH": str(ROOT / source)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/", timeout=1).status_code < 500:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{module} did not start: {process.stderr.read().decode()}"
                                   if process.stderr else module)
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def queries(state: State) -> dict[str, tuple[str, dict[str, str]]]:
    """Representative PaNOSC queries, their terms taken from the generated data."""
    published = [d for d in state.datasets if d.get("isPublished")]
    keyword = next(k for d in published for k in d.get("keywords") or [] if k != "MX")
    suffix = next(Path(f["path"]).suffix for blocks in state.origdatablocks.values()
                  for b in blocks for f in b["dataFileList"])
    title_word = next(w for d in published for w in str(d.get("datasetName", "")).split()
                      if len(w) > 4)
    found = dict(QUERIES)
    found[f"Datasets, files matching {suffix!r}, with instrument"] = ("/api/Datasets", {
        "filter": json.dumps({"include": [
            {"relation": "files", "scope": {"where": {"text": suffix}}},
            {"relation": "instrument"}], "limit": 25})})
    found[f"Datasets, query={keyword} (relevance)"] = ("/api/Datasets", {
        "query": keyword, "filter": json.dumps({"limit": 25})})
    found[f"Documents, query={title_word} {keyword} (relevance)"] = ("/api/Documents", {
        "query": f"{title_word} {keyword}", "filter": json.dumps({"limit": 25})})
    return found


QUERIES: dict[str, tuple[str, dict[str, str]]] = {
    "Datasets, wavelength between 0.09 and 0.11 nm (stored in Å)": ("/api/Datasets", {
        "filter": json.dumps({"include": [{"relation": "parameters", "scope": {"where": {"and": [
            {"name": "wavelength"}, {"value": {"between": [0.09, 0.11]}}, {"unit": "nm"}]}}}],
            "limit": 25})}),
    "Documents with datasets with energy 12-13 keV (nested)": ("/api/Documents", {
        "filter": json.dumps({"include": [{"relation": "datasets", "scope": {"include": [
            {"relation": "parameters", "scope": {"where": {"and": [
                {"name": "energy"}, {"value": {"between": [12000, 13000]}}, {"unit": "eV"}]}}}]}}],
            "limit": 25})}),
    "Datasets/count": ("/api/Datasets/count", {}),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipe", default="demo")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    started = time.monotonic()
    state = facility(args.recipe)
    print(f"{args.recipe}: {len(state.datasets)} datasets "
          f"({sum(1 for d in state.datasets if d.get('isPublished'))} published), "
          f"{len(state.published_data)} published-data records, {len(state.proposals)} "
          f"proposals; generated in {time.monotonic() - started:.1f} s")
    backend_port = free_port()
    with serve(create_double(state), backend_port, "scicat-double") as backend:
        search_env = {"BACKEND_URL": backend, "FACILITY": "SCICATLIVE",
                      "CHANGE_CHECK_SECONDS": "2", "SCICAT_USERNAME": "proposalIngestor",
                      "SCICAT_PASSWORD": "secret"}
        with service("panosc_search", "services/searchapi/src", search_env, free_port()) as url:
            began = time.monotonic()
            health = httpx.get(f"{url}/health", timeout=300).json()
            print(f"searchapi first snapshot: {time.monotonic() - began:.2f} s "
                  f"(indexing {health['indexSeconds']} s): {health['indexed']}")
            with httpx.Client(base_url=url, timeout=60) as client:
                for label, (path, params) in queries(state).items():
                    first = client.get(path, params=params)
                    assert first.status_code == 200, first.text
                    hits = len(first.json()) if isinstance(first.json(), list) else first.json()
                    times = []
                    for _ in range(args.runs):
                        t0 = time.perf_counter()
                        client.get(path, params=params).raise_for_status()
                        times.append(time.perf_counter() - t0)
                    print(f"  {label}: {percentiles(times)} ({hits} hits)")
        oai_env = {"SCICAT_BACKEND_URL": backend, "ADMIN_USER_EMAIL": "support@scicat.eu",
                   "RECORDS_PER_PAGE": "100"}
        with service("oai_provider", "services/oaipmh/src", oai_env, free_port()) as url:
            registry = MetadataRegistry()
            registry.registerReader("oai_dc", oai_dc_reader)
            for name in ("pyoai", "oaipmh-scythe"):
                times = []
                for _ in range(3):
                    t0 = time.perf_counter()
                    if name == "pyoai":
                        count = sum(1 for _ in Client(f"{url}/oai", registry).listRecords(
                            metadataPrefix="oai_dc"))
                    else:
                        with Scythe(f"{url}/oai") as scythe:
                            count = sum(1 for _ in scythe.list_records(metadata_prefix="oai_dc"))
                    times.append(time.perf_counter() - t0)
                    assert count == len(state.published_data), count
                print(f"ListRecords harvest ({name}, {count} records, 100 a page): "
                      f"median {statistics.median(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
