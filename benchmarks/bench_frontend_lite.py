"""Benchmark frontend-lite's pages on the `large` recipe's catalogue (run by hand; not a test).

    source /tmp/testdb.env   # or let it start a throw-away PostgreSQL container
    python benchmarks/bench_frontend_lite.py [--recipe large] [--runs 40] [--cache /tmp/large.pickle]

The recipe is generated and mapped by scicatlive (``generate`` + ``map_graph``: the records
``scicatlive seed`` sends), then written straight into a scratch scicat-lite database with
scicat-lite's own document code (the REST path takes 20 minutes for `large`; this is what
it stores). Origdatablocks are not written: each dataset gets the size and file count
their files add up to, which is all the pages read. Then ``python -m scicat_lite`` and
``python -m frontend_lite`` run as subprocesses (one uvicorn process each, as in their
images) and every line times complete HTML responses over loopback: the backend calls a
page makes are inside the figure. The backend's own ``fullquery``/``fullfacet`` for the
same list are timed in the same run, so that what the frontend adds is visible. The
scratch database is dropped at the end. ``--cache`` keeps the mapped records between runs
(generating `large` takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "services/scicat-lite/src")]

from scicat_lite import datasets
from scicat_lite.db import migrate
from scicat_lite.resources import new_attachment
from scicat_lite.timeutil import now_iso
from scicat_lite.units import add_si_fields

from scicatlive.mapping import MappingOptions, map_graph
from scicatlive.seeding.generator import generate
from scicatlive.seeding.recipe import load_recipe
from tests.support import free_port
from tests.support.databases import postgres_server_url, scratch_postgres

PID_PREFIX = "20.500.12345"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
LIST_FIELDS = {"isPublished": True}
LIST_LIMITS = {"skip": 0, "limit": 25, "order": "creationTime:desc"}
FACETS = ["creationLocation", "ownerGroup", "type", "keywords"]


def mapped(recipe: str, cache: Path | None) -> Any:
    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    loaded = load_recipe(recipe)
    payloads = map_graph(
        generate(loaded),
        MappingOptions(pid_prefix=PID_PREFIX, sample_layout=loaded.catalogue.sample_layout),
    )
    if cache:
        cache.write_bytes(pickle.dumps(payloads))
    return payloads


def _stamped(doc: dict[str, Any]) -> dict[str, Any]:
    now = now_iso()
    return doc | {"createdBy": "bench", "updatedBy": "bench", "createdAt": now, "updatedAt": now}


def _copy(conn: psycopg.Connection, table: str, rows: Iterator[tuple[str, dict[str, Any]]]) -> int:
    count = 0
    with conn.cursor().copy(f"COPY {table} (id, doc) FROM STDIN") as copy:
        for key, doc in rows:
            copy.write_row((key, Jsonb(doc)))
            count += 1
    return count


def load(url: str, payloads: Any) -> dict[str, int]:
    """What scicat-lite's create routes would store, written with COPY."""
    totals: dict[str, tuple[int, int]] = {
        b.datasetId: (int(b.size), len(b.dataFileList)) for b in payloads.origdatablocks
    }

    def dataset_rows() -> Iterator[tuple[str, dict[str, Any]]]:
        for payload in [*payloads.raw_datasets, *payloads.derived_datasets]:
            fields = datasets.v3_to_v4(payload.model_dump(mode="json", exclude_none=True))
            doc = datasets.create(fields, username="bench", pid_prefix=PID_PREFIX, version="3")
            doc["size"], doc["numberOfFiles"] = totals.get(doc["pid"], (0, 0))
            yield doc["pid"], doc

    def sample_rows() -> Iterator[tuple[str, dict[str, Any]]]:
        for payload in payloads.samples:
            fields = payload.model_dump(mode="json", exclude_none=True)
            doc = {"accessGroups": [], "isPublished": False, **fields}
            doc["sampleCharacteristics"] = add_si_fields(fields.get("sampleCharacteristics") or {})
            yield doc["sampleId"], _stamped(doc | {"_id": doc["sampleId"]})

    def proposal_rows() -> Iterator[tuple[str, dict[str, Any]]]:
        for payload in payloads.proposals:
            fields = payload.model_dump(mode="json", exclude_none=True)
            for period in fields.get("MeasurementPeriodList") or []:
                period.setdefault("_id", secrets.token_hex(12))
            doc = {"accessGroups": [], "isPublished": False, "metadata": {}, "type": "Default Proposal",
                   "instrumentIds": [], "keywords": [], "numberOfDatasets": 0, **fields}  # fmt: skip
            yield doc["proposalId"], _stamped(doc | {"_id": doc["proposalId"]})

    def instrument_rows() -> Iterator[tuple[str, dict[str, Any]]]:
        for payload in payloads.instruments:
            doc = {"customMetadata": {}, **payload.model_dump(mode="json", exclude_none=True)}
            yield doc["pid"], _stamped(doc | {"_id": doc["pid"]})

    def attachment_rows() -> Iterator[tuple[str, dict[str, Any]]]:
        for payload in payloads.attachments:
            fields = payload.model_dump(mode="json", exclude_none=True)
            doc = new_attachment(fields, fields["relationships"], "bench")
            yield doc["aid"], doc

    counts = {}
    with psycopg.connect(url) as conn:
        migrate(conn)
        for table, rows in (
            ("datasets", dataset_rows()),
            ("samples", sample_rows()),
            ("proposals", proposal_rows()),
            ("instruments", instrument_rows()),
            ("attachments", attachment_rows()),
        ):
            counts[table] = _copy(conn, table, rows)
        conn.commit()
        for table in counts:
            conn.execute(f"ANALYZE {table}")
    return counts


def _wait(url: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(url).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def _server(module: str, src: str, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(
        [sys.executable, "-m", module],
        env=os.environ | env | {"PYTHONPATH": str(ROOT / src), "HOST": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.terminate()
        process.wait(10)


def _login(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/login")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    reply = client.post("/login", data={"username": username, "password": password, "csrf": csrf})
    assert reply.status_code == 303, reply.text


def _timed(calls: list[Callable[[], httpx.Response]], marker: str) -> list[float]:
    """Each call once, in order (distinct pages: no cache anywhere helps the next)."""
    times = []
    for call in calls:
        start = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and marker in response.text, response.status_code
    return times


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"**p50 {statistics.median(ordered):.0f} ms**, p95 {p95:.0f} ms (n={len(ordered)})"


def _paint(frontend: str, path: str, runs: int, login: tuple[str, str] | None) -> list[float]:
    from playwright.sync_api import sync_playwright

    paints = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_context(
            base_url=frontend, viewport={"width": 1280, "height": 800}
        ).new_page()
        if login:
            page.goto("/login")
            page.fill("#username", login[0])
            page.fill("#password", login[1])
            page.click("button[type=submit]")
            page.wait_for_selector("[data-testid=datasets-table]")
        for _ in range(runs):
            page.goto(path, wait_until="load")
            paints.append(float(page.evaluate(
                """() => new Promise(resolve => new PerformanceObserver((list, observer) => {
                    const paint = list.getEntriesByName('first-contentful-paint')[0];
                    if (paint) { observer.disconnect(); resolve(paint.startTime); }
                }).observe({type: 'paint', buffered: true}))"""
            )))  # fmt: skip
        browser.close()
    return paints


def _list_paired(
    page: httpx.Client, api: httpx.Client, token: str | None, runs: int
) -> dict[str, list[float]]:
    """The list page (streamed: when its rows arrive, when it ends), and, right after each page,
    the two backend calls the page makes, run concurrently without the frontend."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    fields = {} if token else LIST_FIELDS
    query = {"fields": json.dumps(fields), "limits": json.dumps(LIST_LIMITS)}
    facets = {"fields": json.dumps(fields), "facets": json.dumps(FACETS)}
    times: dict[str, list[float]] = {"rows": [], "page": [], "backend": []}
    with ThreadPoolExecutor(2) as pool:
        for run in range(runs + 1):  # the first is a warm-up
            start = time.perf_counter()
            with page.stream("GET", "/datasets") as response:
                text, rows_at = "", None
                for chunk in response.iter_text():
                    text += chunk
                    if rows_at is None and "</table>" in text:
                        rows_at = time.perf_counter()
            done = time.perf_counter()
            assert response.status_code == 200 and rows_at and 'data-testid="dataset-count"' in text
            start_api = time.perf_counter()
            calls = [
                pool.submit(api.get, "/datasets/fullquery", params=query, headers=headers),
                pool.submit(api.get, "/datasets/fullfacet", params=facets, headers=headers),
            ]
            assert all(call.result().status_code == 200 for call in calls)
            if run:
                times["rows"].append((rows_at - start) * 1000)
                times["page"].append((done - start) * 1000)
                times["backend"].append((time.perf_counter() - start_api) * 1000)
    return times


def _backend_token(backend: str, username: str, password: str) -> str:
    reply = httpx.post(
        f"{backend}/api/v3/auth/login", json={"username": username, "password": password}
    )
    token: str = reply.json()["id"]
    return token


def measure(
    payloads: Any, backend: str, frontend: str, passwords: dict[str, str], runs: int
) -> list[tuple[str, str]]:
    results: list[tuple[str, str]] = []
    rng = random.Random(5)
    with httpx.Client(base_url=f"{backend}/api/v3", timeout=120) as api:
        for who in ("anonymous", "admin", "member"):
            with httpx.Client(base_url=frontend, timeout=120) as page:
                token = None
                if who != "anonymous":
                    _login(page, who, passwords[who])
                    token = _backend_token(backend, who, passwords[who])
                times = _list_paired(page, api, token, runs)
            overhead = [p - b for p, b in zip(times["page"], times["backend"], strict=True)]
            results += [
                (
                    f"`/datasets`, {who}: rows shown (first part of the page)",
                    _summary(times["rows"]),
                ),
                (
                    f"`/datasets`, {who}: whole page (counts and filters included)",
                    _summary(times["page"]),
                ),
                (f"backend alone, {who}: `fullquery` ∥ `fullfacet`", _summary(times["backend"])),
                (f"what the frontend adds, {who} (page − backend, same run)", _summary(overhead)),
            ]
    derived_of: dict[str, int] = {}
    for d in payloads.derived_datasets:
        derived_of[d.inputDatasets[0]] = derived_of.get(d.inputDatasets[0], 0) + 1
    rich = rng.sample([pid for pid, n in derived_of.items() if n >= 2], runs + 1)
    sessions = sorted({m.comment for p in payloads.proposals for m in p.MeasurementPeriodList})
    shipments = [s.sampleId for s in payloads.samples if s.type == "shipment"]
    with httpx.Client(base_url=frontend, timeout=120) as admin:
        _login(admin, "admin", passwords["admin"])
        pages = [
            ("MX raw view with its processing table (distinct collections, ≥ 2 runs each)",
             [f"/datasets/{p}" for p in rich], "processing-table"),
            ("session page (distinct sessions)",
             [f"/sessions/{s}" for s in rng.sample(sessions, min(runs, len(sessions)))], "session-collections"),
            ("shipment page (distinct shipments)",
             [f"/shipments/{s}" for s in rng.sample(shipments, min(runs, len(shipments)))], "loading"),
        ]  # fmt: skip
        for label, paths, marker in pages:
            times = _timed([lambda p=p: admin.get(p) for p in paths], marker)
            results.append(
                (
                    f"{label}, admin, first render",
                    _summary(times[1:] if len(times) > runs else times),
                )
            )
    if Path(CHROMIUM).exists():
        n = min(runs, 20)
        for who, login in (("anonymous", None), ("admin", ("admin", passwords["admin"]))):
            results.append(
                (
                    f"Chromium: first contentful paint of `/datasets`, {who}",
                    _summary(_paint(frontend, "/datasets", n, login)),
                )
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipe", default="large")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--cache", type=Path, help="keep the mapped records in this pickle")
    args = parser.parse_args()
    started = time.perf_counter()
    payloads = mapped(args.recipe, args.cache)
    print(f"generated and mapped {args.recipe!r} in {time.perf_counter() - started:.0f} s")
    with postgres_server_url() as server, scratch_postgres(server, "frontend_lite_bench") as url:
        started = time.perf_counter()
        counts = load(url, payloads)
        print(f"loaded {counts} in {time.perf_counter() - started:.0f} s")
        groups = sorted({p.ownerGroup for p in payloads.proposals})[:2]
        passwords = {"admin": secrets.token_urlsafe(12), "member": secrets.token_urlsafe(12)}
        folder = Path(tempfile.mkdtemp())
        (folder / "accounts.json").write_text(json.dumps([
            {"username": "admin", "password": passwords["admin"], "role": "admin"},
            {"username": "member", "password": passwords["member"], "role": groups},
        ]))  # fmt: skip
        backend_port, frontend_port = free_port(), free_port()
        backend, frontend = f"http://127.0.0.1:{backend_port}", f"http://127.0.0.1:{frontend_port}"
        (folder / "config.json").write_text(
            json.dumps({"lbBaseURL": backend, "siteTitle": "Bench"})
        )
        lite_env = {"DATABASE_URL": url, "JWT_SECRET": secrets.token_hex(16), "PORT": str(backend_port),
                    "FUNCTIONAL_ACCOUNTS_FILE": str(folder / "accounts.json"), "ADMIN_GROUPS": "admin",
                    "PID_PREFIX": PID_PREFIX}  # fmt: skip
        front_env = {"SESSION_SECRET": secrets.token_hex(24), "PORT": str(frontend_port),
                     "SCICAT_CONFIG_FILE": str(folder / "config.json")}  # fmt: skip
        with _server("scicat_lite", "services/scicat-lite/src", lite_env):
            _wait(f"{backend}/api/v3/health")
            with _server("frontend_lite", "services/frontend-lite/src", front_env):
                _wait(f"{frontend}/healthz")
                for label, figure in measure(payloads, backend, frontend, passwords, args.runs):
                    print(f"| {label} | {figure} |")


if __name__ == "__main__":
    main()
