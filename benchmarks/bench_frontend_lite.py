"""Benchmark frontend-lite's datasets list at 10k datasets (run by hand; not part of the test-suite).

    source /tmp/testdb.env   # or set SCICATLIVE_TEST_POSTGRES_URL
    python benchmarks/bench_frontend_lite.py [--datasets 10000] [--runs 40]

It creates a scratch database, seeds it directly (documents built by scicat-lite's
own code: 30 % published, 20 owner groups, 4 beamlines, MX keywords), starts
``python -m scicat_lite`` and ``python -m frontend_lite`` as subprocesses on free
loopback ports (one uvicorn process each, as in their images) and measures the
first render of ``/datasets``: the complete HTML response (the frontend's
``fullquery`` and ``fullfacet`` calls included) over HTTP, and in headless
Chromium the time to the first contentful paint of a fresh navigation. The
scratch database is dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services/scicat-lite/src"))

from scicat_lite import datasets
from scicat_lite.db import migrate

PROTEINS = (
    ["lysozyme", "thaumatin", "insulin", "trypsin", "proteinase", "thermolysin", "glucose-isomerase", "ferritin"]
)
BEAMLINES = ["BL-A", "BL-B", "BL-C", "BL-D"]
GROUPS = [f"group{i}" for i in range(20)]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _fake(i: int, rng: random.Random) -> dict[str, object]:
    protein = rng.choice(PROTEINS)
    beamline = rng.choice(BEAMLINES)
    group = rng.choice(GROUPS)
    kind = "raw" if rng.random() < 0.6 else "derived"
    when = f"20{rng.randint(20, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00.000Z"
    doc: dict[str, object] = {
        "type": kind,
        "ownerGroup": group,
        "accessGroups": ["mx-staff"],
        "owner": "Bench PI",
        "contactEmail": "pi@example.org",
        "principalInvestigator": "Bench PI",
        "sourceFolder": f"/data/{group}/{protein}/run{i}",
        "creationTime": when,
        "datasetName": f"{protein}_{i}",
        "description": f"{protein} rotation data on {beamline}",
        "creationLocation": f"/BENCH/{beamline}",
        "keywords": ["MX", protein, beamline],
        "proposalIds": [f"MX{2020 + i % 6}{i % 500:04d}"],
        "isPublished": rng.random() < 0.3,
        "size": rng.randint(10**6, 5 * 10**10),
        "scientificMetadata": {
            "wavelength": {"value": round(rng.uniform(0.8, 1.3), 4), "unit": "angstrom"},
            "numberOfImages": {"value": rng.randint(900, 7200), "unit": ""},
        },
    }
    if kind == "raw":
        doc |= {"runNumber": str(i), "startTime": when}
    return doc


def seed(url: str, count: int) -> None:
    rng = random.Random(1)
    with psycopg.connect(url) as conn:
        migrate(conn)
        with conn.cursor().copy("COPY datasets (id, doc) FROM STDIN") as copy:
            for i in range(count):
                doc = datasets.create(
                    _fake(i, rng), username="bench", pid_prefix="20.500.12345", version="4"
                )
                copy.write_row((doc["pid"], Jsonb(doc)))
        conn.commit()
        conn.execute("ANALYZE datasets")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def _start(module: str, src: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", module],
        env=os.environ | env | {"PYTHONPATH": str(ROOT / src), "HOST": "127.0.0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _login(client: httpx.Client, username: str, password: str) -> None:
    page = client.get("/login")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match, "no csrf field on /login"
    reply = client.post(
        "/login", data={"username": username, "password": password, "csrf": match.group(1)}
    )
    assert reply.status_code == 303, reply.text


def _timed(get: Callable[[], httpx.Response], runs: int) -> list[float]:
    get()  # warm-up: connections, template compilation
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = get()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and "datasets-table" in response.text
    return times


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    return f"p50 {statistics.median(ordered):.0f} ms, p95 {ordered[int(len(ordered) * 0.95) - 1]:.0f} ms"


def _browser(
    frontend: str, username: str, password: str, runs: int
) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright

    paints, loads = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context(base_url=frontend, viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=datasets-table]")
        for _ in range(runs):
            page.goto("/datasets?per_page=25", wait_until="load")
            timing = page.evaluate(
                """() => new Promise(resolve => new PerformanceObserver((list, observer) => {
                    const paint = list.getEntriesByName('first-contentful-paint')[0];
                    if (paint) {
                        observer.disconnect();
                        resolve({fcp: paint.startTime,
                                 load: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd});
                    }
                }).observe({type: 'paint', buffered: true}))"""
            )
            paints.append(float(timing["fcp"]))
            loads.append(float(timing["load"]))
        browser.close()
    return paints, loads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    admin_url = os.environ["SCICATLIVE_TEST_POSTGRES_URL"]
    name = f"frontend_lite_bench_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(**(conninfo_to_dict(admin_url) | {"dbname": name}))
    servers: list[subprocess.Popen[bytes]] = []
    try:
        start = time.perf_counter()
        seed(url, args.datasets)
        print(f"seeded {args.datasets} datasets in {time.perf_counter() - start:.0f}s")
        passwords = {"admin": secrets.token_urlsafe(12), "member": secrets.token_urlsafe(12)}
        folder = Path(tempfile.mkdtemp())
        (folder / "accounts.json").write_text(
            json.dumps(
                [
                    {"username": "admin", "password": passwords["admin"], "role": "admin"},
                    {
                        "username": "member",
                        "password": passwords["member"],
                        "role": ["group0", "group1"],
                    },
                ]
            )
        )
        backend_port, frontend_port = _port(), _port()
        backend = f"http://127.0.0.1:{backend_port}"
        frontend = f"http://127.0.0.1:{frontend_port}"
        (folder / "config.json").write_text(
            json.dumps({"lbBaseURL": backend, "siteTitle": "Bench"})
        )
        servers.append(
            _start(
                "scicat_lite",
                "services/scicat-lite/src",
                {
                    "DATABASE_URL": url,
                    "JWT_SECRET": secrets.token_hex(16),
                    "PORT": str(backend_port),
                    "FUNCTIONAL_ACCOUNTS_FILE": str(folder / "accounts.json"),
                    "ADMIN_GROUPS": "admin",
                },
            )
        )
        _wait(f"{backend}/api/v3/health")
        servers.append(
            _start(
                "frontend_lite",
                "services/frontend-lite/src",
                {
                    "SESSION_SECRET": secrets.token_hex(24),
                    "SCICAT_CONFIG_FILE": str(folder / "config.json"),
                    "PORT": str(frontend_port),
                },
            )
        )
        _wait(f"{frontend}/healthz")

        results: list[tuple[str, str]] = []
        with httpx.Client(base_url=frontend, timeout=60) as anonymous:
            times = _timed(lambda: anonymous.get("/datasets"), args.runs)
            results.append(("`GET /datasets`, anonymous (published: ~30 %)", _summary(times)))
        with httpx.Client(base_url=frontend, timeout=60) as admin:
            _login(admin, "admin", passwords["admin"])
            times = _timed(lambda: admin.get("/datasets"), args.runs)
            results.append((f"`GET /datasets`, admin (all {args.datasets})", _summary(times)))
            times = _timed(
                lambda: admin.get("/datasets?text=lysozyme&type=raw&sort=size"), args.runs
            )
            results.append(("same, text + type filter, sorted by size", _summary(times)))
            times = _timed(lambda: admin.get("/datasets?per_page=100"), args.runs)
            results.append(("same, 100 items per page", _summary(times)))
        with httpx.Client(base_url=frontend, timeout=60) as member:
            _login(member, "member", passwords["member"])
            times = _timed(lambda: member.get("/datasets"), args.runs)
            results.append(("`GET /datasets`, member of 2 of 20 groups", _summary(times)))
        if Path(CHROMIUM).exists():
            paints, loads = _browser(frontend, "admin", passwords["admin"], min(args.runs, 20))
            results.append(
                ("Chromium, admin: first contentful paint of `/datasets`", _summary(paints))
            )
            results.append(("Chromium, admin: DOMContentLoaded", _summary(loads)))
        for label, figure in results:
            print(f"| {label} | {figure} |")
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
