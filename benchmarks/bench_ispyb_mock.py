"""Benchmark the ISPyB mock against a real MariaDB (run by hand, not a test).

    source /tmp/testdb.env   # or export SCICATLIVE_TEST_MARIADB_URL=mysql+pymysql://...
    python benchmarks/bench_ispyb_mock.py [--proposals 10] [--samples 1000] [--requests 200]
                                          [--concurrency 4]

Starts ``python -m ispyb_mock`` on a scratch database, bulk-loads proposals of
``--samples`` samples (Unipucks of 16; one data collection and one processing
run with three scaling shells per sample) one after the other, then as many more
``--concurrency`` at a time (side by side: the same graphs, the same laboratory for
every proposer), then measures the latency of ``GET /samples`` and ``GET /events``
with everything loaded. Prints Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.support import free_port

API = "/ispyb/api/v1"
START = datetime(2024, 3, 1, 8, 0, 0)


def shells() -> list[dict[str, Any]]:
    return [
        {
            "scalingStatisticsType": "overall",
            "resolutionLimitLow": 29.5,
            "resolutionLimitHigh": 1.61,
            "rMerge": 0.106,
            "completeness": 99.8,
            "ccHalf": 0.999,
        },
        {
            "scalingStatisticsType": "innerShell",
            "resolutionLimitLow": 29.5,
            "resolutionLimitHigh": 6.35,
            "rMerge": 0.06,
            "completeness": 99.0,
            "ccHalf": 0.998,
        },
        {
            "scalingStatisticsType": "outerShell",
            "resolutionLimitLow": 1.65,
            "resolutionLimitHigh": 1.61,
            "rMerge": 0.9,
            "completeness": 98.0,
            "ccHalf": 0.55,
        },
    ]


def sample(number: str, index: int) -> dict[str, Any]:
    start = (START + timedelta(minutes=3 * index)).isoformat()
    end = (START + timedelta(minutes=3 * index + 2)).isoformat()
    location = index % 16 + 1
    return {
        "name": f"xtal-{index}",
        "location": location,
        "code": f"P{number}-{index:05d}",
        "Crystal": {
            "protein": "HEWL",
            "spaceGroup": "P43212",
            "cell_a": 79.1,
            "cell_b": 79.1,
            "cell_c": 38.0,
            "cell_alpha": 90,
            "cell_beta": 90,
            "cell_gamma": 90,
        },
        "dataCollectionGroups": [
            {
                "session": 1,
                "experimentType": "OSC",
                "startTime": start,
                "endTime": end,
                "dataCollections": [
                    {
                        "imageDirectory": f"/data/visitors/biomax/{number}/raw/xtal-{index}/",
                        "imagePrefix": f"xtal-{index}",
                        "dataCollectionNumber": 1,
                        "startTime": start,
                        "endTime": end,
                        "runStatus": "Data collection successful",
                        "numberOfImages": 3600,
                        "axisRange": 0.1,
                        "exposureTime": 0.01,
                        "wavelength": 0.976,
                        "detectorDistance": 200.0,
                        "resolution": 1.6,
                        "autoProcPrograms": [
                            {
                                "processingPrograms": "XIA2_DIALS",
                                "processingStatus": "SUCCESS",
                                "AutoProc": {"spaceGroup": "P 43 21 2", "refinedCell_a": 79.1},
                                "AutoProcIntegration": {
                                    "startImageNumber": 1,
                                    "endImageNumber": 3600,
                                },
                                "AutoProcScalingStatistics": shells(),
                            }
                        ],
                    }
                ],
            }
        ],
    }


def proposal(number: str, samples: int) -> dict[str, Any]:
    pucks = [list(range(first, min(first + 16, samples))) for first in range(0, samples, 16)]
    return {
        "proposalCode": "MX",
        "proposalNumber": number,
        "title": "Benchmark",
        "Person": {
            "login": f"pi{number}",
            "familyName": "Bench",
            "Laboratory": {"name": "Bench Lab", "city": "Lund", "country": "SE"},
        },
        "sessions": [
            {
                "visit_number": 1,
                "beamLineName": "BioMAX",
                "startDate": START.isoformat(),
                "endDate": (START + timedelta(days=3)).isoformat(),
            }
        ],
        "proteins": [{"acronym": "HEWL", "name": "Lysozyme"}],
        "shippings": [
            {
                "shippingName": f"MX{number}-1_Shipment1",
                "dewars": [
                    {
                        "barCode": f"DW{number}",
                        "code": "Dewar-1",
                        "containers": [
                            {
                                "barcode": f"PK{number}-{p}",
                                "code": f"Puck-{p}",
                                "containerType": "Unipuck",
                                "samples": [sample(number, i) for i in puck],
                            }
                            for p, puck in enumerate(pucks, start=1)
                        ],
                    }
                ],
            }
        ],
    }


def latencies(client: httpx.Client, path: str, headers: dict[str, str], n: int) -> list[float]:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        reply = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        reply.raise_for_status()
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    return (
        f"p50 {statistics.median(ordered):.1f} ms, "
        f"p95 {ordered[int(len(ordered) * 0.95) - 1]:.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent bulk loads")
    args = parser.parse_args()
    url = os.environ.get("SCICATLIVE_TEST_MARIADB_URL")
    if not url:
        print("set SCICATLIVE_TEST_MARIADB_URL", file=sys.stderr)
        return 2
    name = "scicatlive_test_ispyb_bench"
    server = create_engine(url)
    with server.begin() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        connection.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    password = secrets.token_urlsafe(16)
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        users = Path(tmp) / "users.json"
        users.write_text(
            json.dumps(
                [
                    {
                        "login": "seeder",
                        "password": password,
                        "permissions": ["all_proposals", "manage_proposals"],
                    },
                    {"login": "pi20250001", "password": password, "permissions": []},
                ]
            )
        )
        env = os.environ | {
            "PYTHONPATH": str(ROOT / "services" / "ispyb-mock" / "src"),
            "DATABASE_URL": make_url(url).set(database=name).render_as_string(hide_password=False),
            "JWT_SECRET": secrets.token_hex(32),
            "ISPYB_USERS_FILE": str(users),
            "HOST": "127.0.0.1",
            "PORT": str(port),
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "ispyb_mock"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            return run(f"http://127.0.0.1:{port}{API}", password, args)
        finally:
            process.terminate()
            process.wait(timeout=10)
            with server.begin() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))


def run(base: str, password: str, args: argparse.Namespace) -> int:
    with httpx.Client(base_url=base, timeout=600) as client:
        deadline = time.monotonic() + 60
        while True:
            try:
                client.get("/health").raise_for_status()
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

        def token(login: str) -> dict[str, str]:
            reply = client.post("/auth/login", json={"login": login, "password": password})
            return {"Authorization": f"Bearer {reply.json()['token']}"}

        seeder = token("seeder")
        loads = []
        for index in range(args.proposals):
            graph = proposal(f"2025{index + 1:04d}", args.samples)
            started = time.perf_counter()
            client.post("/bulk/proposals", json=graph, headers=seeder).raise_for_status()
            loads.append(time.perf_counter() - started)
        sequential = sum(loads)
        graphs = [proposal(f"2026{index + 1:04d}", args.samples) for index in range(args.proposals)]

        def load(graph: dict[str, Any]) -> None:
            client.post("/bulk/proposals", json=graph, headers=seeder).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(load, graphs))
        concurrent = time.perf_counter() - started
        started = time.perf_counter()
        client.post(
            "/bulk/proposals", json=proposal("20250001", args.samples), headers=seeder
        ).raise_for_status()
        reload = time.perf_counter() - started
        total = client.get("/samples", headers=seeder).json()["total"]
        assert total == 2 * args.proposals * args.samples, total
        member = token("pi20250001")
        rows = [
            ("bulk load of one proposal (first)", f"{loads[0]:.2f} s"),
            ("bulk load, median over proposals", f"{statistics.median(loads):.2f} s"),
            (
                f"{args.proposals} loads one after the other / {args.concurrency} at a time",
                f"{sequential:.2f} s / {concurrent:.2f} s ({sequential / concurrent:.2f}x)",
            ),
            ("bulk reload of the same proposal (idempotent)", f"{reload:.2f} s"),
            (
                f"GET /samples, all_proposals, {total} samples",
                summary(latencies(client, "/samples", seeder, args.requests)),
            ),
            (
                "GET /samples, member of one proposal",
                summary(latencies(client, "/samples", member, args.requests)),
            ),
            (
                "GET /events, all_proposals",
                summary(latencies(client, "/events", seeder, args.requests)),
            ),
            (
                "GET /events, member of one proposal",
                summary(latencies(client, "/events", member, args.requests)),
            ),
        ]
    print(
        f"Date: {datetime.now():%Y-%m-%d}; Python {platform.python_version()}; "
        f"{args.proposals} proposals x {args.samples} samples "
        f"({-(-args.samples // 16)} Unipucks each), {args.requests} requests per figure.\n"
    )
    print("| Measure | Result |\n|---|---|")
    for measure, result in rows:
        print(f"| {measure} | {result} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
