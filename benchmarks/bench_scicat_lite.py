"""Benchmark scicat-lite with 100k datasets (run by hand; not part of the test-suite).

    source /tmp/testdb.env   # or set SCICATLIVE_TEST_POSTGRES_URL
    python benchmarks/bench_scicat_lite.py [--datasets 100000]

It creates a scratch database, seeds it directly (documents built by scicat-lite's own
code), starts ``python -m scicat_lite`` as a subprocess on a free loopback port and
measures over HTTP: ``fullquery`` text search, ``fullfacet``, create throughput with 8
concurrent clients, and the server's resident memory. The scratch database is dropped.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services/scicat-lite/src"))

from scicat_lite import datasets  # noqa: E402
from scicat_lite.db import migrate  # noqa: E402

WORDS = "protein crystal lysozyme powder diffraction tomography scan beamline sample water ice heat".split()
GROUPS = [f"group{i}" for i in range(20)]


def _fake(i: int, rng: random.Random) -> dict[str, object]:
    words = rng.sample(WORDS, 3)
    return {
        "ownerGroup": rng.choice(GROUPS),
        "owner": "bench",
        "contactEmail": "b@example.org",
        "sourceFolder": f"/data/{i}",
        "creationTime": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00.000Z",
        "datasetName": f"{words[0]} {i}",
        "description": " ".join(words),
        "type": rng.choice(["raw", "derived"]),
        "creationLocation": f"/site/{rng.choice(['ID30', 'ID23', 'BM29'])}",
        "keywords": words[:2],
        "isPublished": rng.random() < 0.3,
        "scientificMetadata": {"temperature": {"value": rng.uniform(10, 300), "unit": "K"}},
    }


def seed(url: str, count: int) -> None:
    rng = random.Random(1)
    with psycopg.connect(url) as conn:
        migrate(conn)
        with conn.cursor().copy("COPY datasets (id, doc) FROM STDIN") as copy:
            for i in range(count):
                doc = datasets.create(
                    _fake(i, rng), username="bench", pid_prefix="bench", version="4"
                )
                copy.write_row((doc["pid"], Jsonb(doc)))
        conn.commit()
        conn.execute("ANALYZE datasets")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed(client: httpx.Client, path: str, params: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        client.get(path, params=params).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _create_throughput(url: str, token: str, total: int, workers: int) -> float:
    body = _fake(0, random.Random(2)) | {"ownerGroup": "group0"}

    def work(n: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as c:
            for _ in range(n):
                c.post("/api/v4/datasets", json=body).raise_for_status()

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, [total // workers] * workers))
    return total / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--creates", type=int, default=2400)
    args = parser.parse_args()
    admin_url = os.environ["SCICATLIVE_TEST_POSTGRES_URL"]
    name = f"scicat_lite_bench_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(**(conninfo_to_dict(admin_url) | {"dbname": name}))
    server = None
    try:
        start = time.perf_counter()
        seed(url, args.datasets)
        print(f"seeded {args.datasets} datasets in {time.perf_counter() - start:.0f}s")
        password = secrets.token_urlsafe(12)
        accounts = Path(tempfile.mkdtemp()) / "accounts.json"
        accounts.write_text(
            json.dumps([{"username": "bench", "password": password, "role": "group0"}])
        )
        port = _port()
        env = os.environ | {
            "DATABASE_URL": url,
            "JWT_SECRET": secrets.token_hex(16),
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "FUNCTIONAL_ACCOUNTS_FILE": str(accounts),
            "ADMIN_GROUPS": "group0",
            "PID_PREFIX": "bench",
            "PYTHONPATH": str(ROOT / "services/scicat-lite/src"),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "scicat_lite"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(f"{base}/api/v3/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        token = httpx.post(
            f"{base}/api/v3/auth/login", json={"username": "bench", "password": password}
        ).json()["id"]
        client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        limits = json.dumps({"limit": 25, "skip": 0, "order": "creationTime:desc"})
        text = _timed(
            client,
            "/api/v3/datasets/fullquery",
            {"fields": json.dumps({"text": "lysozyme"}), "limits": limits},
            30,
        )
        facets = json.dumps(["type", "creationLocation", "ownerGroup", "keywords"])
        facet = _timed(client, "/api/v3/datasets/fullfacet", {"fields": "{}", "facets": facets}, 10)
        facet_text = _timed(
            client,
            "/api/v3/datasets/fullfacet",
            {"fields": json.dumps({"text": "lysozyme"}), "facets": facets},
            10,
        )
        rate = _create_throughput(base, token, args.creates, 8)
        print(
            f"fullquery text: p50 {statistics.median(text):.1f} ms, p95 {sorted(text)[int(len(text) * 0.95)]:.1f} ms"
        )
        print(f"fullfacet (4 facets, no filter): p50 {statistics.median(facet):.1f} ms")
        print(f"fullfacet (4 facets, text filter): p50 {statistics.median(facet_text):.1f} ms")
        print(f"create (v4, 8 concurrent clients): {rate:.0f} datasets/s")
        print(f"backend RSS: {_rss_mib(server.pid):.0f} MiB")
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
