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
from scicatlive.seeding.generate import generate
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
        generate(loaded), MappingOptions.from_recipe(loaded, pid_prefix=PID_PREFIX)
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


def _repeat(call: Callable[[], httpx.Response], runs: int, marker: str) -> list[float]:
    call()  # warm-up: connections, template compilation
    return _timed([call] * runs, marker)


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


def measure(
    payloads: Any, backend: str, frontend: str, passwords: dict[str, str], runs: int
) -> list[tuple[str, str]]:
    results: list[tuple[str, str]] = []
    rng = random.Random(5)
    derived_of: dict[str, int] = {}
    for d in payloads.derived_datasets:
        derived_of[d.inputDatasets[0]] = derived_of.get(d.inputDatasets[0], 0) + 1
    params = {"fields": json.dumps(LIST_FIELDS), "limits": json.dumps(LIST_LIMITS)}
    with httpx.Client(base_url=f"{backend}/api/v3", timeout=120) as api:
        results.append(
            (
                "backend alone: `fullquery`, anonymous (25 rows)",
                _summary(
                    _repeat(lambda: api.get("/datasets/fullquery", params=params), runs, "pid")
                ),
            )
        )
        facet = {"fields": json.dumps(LIST_FIELDS), "facets": json.dumps(FACETS)}
        results.append(
            (
                "backend alone: `fullfacet`, anonymous (4 facets)",
                _summary(
                    _repeat(lambda: api.get("/datasets/fullfacet", params=facet), runs, "all")
                ),
            )
        )
    with httpx.Client(base_url=frontend, timeout=120) as anonymous:
        results.append(
            (
                "`GET /datasets`, anonymous (published only)",
                _summary(_repeat(lambda: anonymous.get("/datasets"), runs, "datasets-table")),
            )
        )
    with httpx.Client(base_url=frontend, timeout=120) as admin:
        _login(admin, "admin", passwords["admin"])
        results.append(
            (
                "`GET /datasets`, admin (every dataset)",
                _summary(_repeat(lambda: admin.get("/datasets"), runs, "datasets-table")),
            )
        )
        rich = [pid for pid, n in derived_of.items() if n >= 2]
        chosen = rng.sample(rich, min(runs + 1, len(rich)))
        results.append(
            (
                "MX raw view `GET /datasets/<pid>` with its processing table (distinct, ≥ 2 runs each)",
                _summary(
                    _timed(
                        [lambda p=p: admin.get(f"/datasets/{p}") for p in chosen],
                        "processing-table",
                    )[1:]
                ),
            )
        )
        sessions = sorted({m.comment for p in payloads.proposals for m in p.MeasurementPeriodList})
        chosen_sessions = rng.sample(sessions, min(runs, len(sessions)))
        results.append(
            (
                "session page `GET /sessions/<name>` (distinct sessions)",
                _summary(
                    _timed(
                        [lambda s=s: admin.get(f"/sessions/{s}") for s in chosen_sessions],
                        "session-collections",
                    )
                ),
            )
        )
        shipments = [s.sampleId for s in payloads.samples if s.type == "shipment"]
        chosen_shipments = rng.sample(shipments, min(runs, len(shipments)))
        results.append(
            (
                "shipment page `GET /shipments/<id>` (distinct shipments)",
                _summary(
                    _timed(
                        [lambda s=s: admin.get(f"/shipments/{s}") for s in chosen_shipments],
                        "loading",
                    )
                ),
            )
        )
    with httpx.Client(base_url=frontend, timeout=120) as member:
        _login(member, "member", passwords["member"])
        results.append(
            (
                "`GET /datasets`, member of two proposals",
                _summary(_repeat(lambda: member.get("/datasets"), runs, "datasets-table")),
            )
        )
    if Path(CHROMIUM).exists():
        n = min(runs, 20)
        results.append(
            (
                "Chromium: first contentful paint of `/datasets`, anonymous",
                _summary(_paint(frontend, "/datasets", n, None)),
            )
        )
        results.append(
            (
                "Chromium: first contentful paint of `/datasets`, admin",
                _summary(_paint(frontend, "/datasets", n, ("admin", passwords["admin"]))),
            )
        )
    return results  # fmt: skip


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
