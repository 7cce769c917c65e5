"""Benchmark scicat-lite: fullfacet at scale and the CPU cost of creates (run by hand).

    source /tmp/testdb.env   # or set SCICATLIVE_TEST_POSTGRES_URL
    python benchmarks/bench_scicat_lite.py [--datasets 100000] [--baseline REV]

For each server version (the working tree, and with ``--baseline`` a git revision of
``services/scicat-lite/src`` exported to a temporary directory) it creates a scratch
database, starts ``python -m scicat_lite`` on a free loopback port (the server completes
its schema), loads the same generated datasets with ``COPY`` and measures over HTTP:

* ``fullfacet`` with the eight facets the upstream frontend asks for, as an anonymous
  caller and as a user in several groups (p50 of 10), and the text ``fullquery``;
* creates of datasets, origdatablocks and samples from an asyncio load generator here (16 in
  flight): the rate, and the CPU seconds per create of the server and its PostgreSQL backends.

Versions run one after the other in the same run (their ratio compares); scratch databases
and the exported baseline are removed afterwards."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services/scicat-lite/src"))

from scicat_lite import datasets

FACETS = [
    "type", "creationLocation", "ownerGroup", "keywords",
    "instrumentIds", "proposalIds", "techniques.name", "sampleIds",
]  # fmt: skip
WORDS = [
    "protein",
    "crystal",
    "lysozyme",
    "powder",
    "diffraction",
    "tomography",
    "scan",
    "beamline",
    "sample",
    "water",
    "ice",
    "heat",
]
GROUPS = [f"group{i}" for i in range(20)]
USER_GROUPS = ["group1", "group2", "group3"]
TECHNIQUES = ["MX", "SAXS", "XRF", "tomography", "XAS"]
CLK_TCK = os.sysconf("SC_CLK_TCK")


def fake_dataset(i: int, rng: random.Random) -> dict[str, Any]:
    words = rng.sample(WORDS, 3)
    return {
        "ownerGroup": rng.choice(GROUPS),
        "accessGroups": rng.sample(GROUPS, rng.choice([0, 0, 1, 2])),
        "owner": "bench",
        "contactEmail": "b@example.org",
        "sourceFolder": f"/data/{i}",
        "creationTime": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00.000Z",
        "datasetName": f"{words[0]} {i}",
        "description": " ".join(words),
        "type": rng.choice(["raw", "derived"]),
        "creationLocation": f"/site/{rng.choice(['ID30', 'ID23', 'BM29', 'ID29', 'BM30'])}",
        "keywords": words[:2],
        "instrumentIds": [f"instrument/{rng.randint(1, 8)}"],
        "proposalIds": [f"proposal-{rng.randint(1, 500)}"],
        "sampleIds": [f"sample-{rng.randint(1, 5000)}"],
        "techniques": [{"name": rng.choice(TECHNIQUES), "pid": "t"}],
        "principalInvestigators": ["PI"],
        "isPublished": rng.random() < 0.3,
        "scientificMetadata": {"temperature": {"value": rng.uniform(10, 300), "unit": "K"}},
    }


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Server:
    label: str
    url: str
    process: subprocess.Popen[bytes]
    database_url: str
    tokens: dict[str, str]
    workers: int = 1

    def server_cpu(self) -> float:
        """CPU seconds of the server process and its worker processes."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0.0
        for pid in pids:
            try:
                total += _cpu_seconds(pid)
            except OSError:
                pass
        return total

    def backend_cpu(self) -> float:
        """CPU seconds of this database's PostgreSQL backends (they stay, pooled)."""
        name = conninfo_to_dict(self.database_url)["dbname"]
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    (name,),
                )
            ]
        total = 0.0
        for pid in pids:
            try:
                total += _cpu_seconds(pid)
            except OSError:
                pass
        return total


@contextmanager
def scratch_database(admin_url: str, label: str) -> Iterator[str]:
    name = f"scicat_lite_bench_{label}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_conninfo(**(conninfo_to_dict(admin_url) | {"dbname": name}))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_server(
    label: str, source: Path, database_url: str, workers: int = 1
) -> Iterator[Server]:
    accounts = [
        {"username": "admin", "password": "admin-pw", "role": "admin"},
        {"username": "member", "password": "member-pw", "role": USER_GROUPS},
        {"username": "ingestor", "password": "ingestor-pw", "role": "group0"},
    ]
    folder = Path(tempfile.mkdtemp())
    (folder / "accounts.json").write_text(json.dumps(accounts))
    port = _port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "JWT_SECRET": secrets.token_hex(32),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "FUNCTIONAL_ACCOUNTS_FILE": str(folder / "accounts.json"),
        "ADMIN_GROUPS": "admin",
        "PID_PREFIX": "bench",
        "PYTHONPATH": str(source),
        "WEB_CONCURRENCY": str(workers),
    }
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "scicat_lite"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"{label} server exited: {(folder / 'server.log').read_text()}")
            try:
                if httpx.get(f"{url}/api/v3/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        tokens = {}
        for account in accounts:
            login = httpx.post(
                f"{url}/api/v3/auth/login",
                json={"username": account["username"], "password": account["password"]},
            )
            tokens[str(account["username"])] = login.json()["access_token"]
        yield Server(label, url, process, database_url, tokens, workers)
    finally:
        process.terminate()
        process.wait(10)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def load_datasets(database_url: str, docs: list[dict[str, Any]]) -> None:
    with psycopg.connect(database_url) as conn:
        with conn.cursor().copy("COPY datasets (id, doc) FROM STDIN") as copy:
            for doc in docs:
                copy.write_row((doc["pid"], Jsonb(doc)))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE datasets")


def _timed(server: Server, who: str | None, path: str, params: dict[str, str], runs: int) -> float:
    headers = {"Authorization": f"Bearer {server.tokens[who]}"} if who else {}
    times = []
    with httpx.Client(base_url=server.url, headers=headers, timeout=120) as client:
        client.get(path, params=params).raise_for_status()  # warm-up
        for _ in range(runs):
            start = time.perf_counter()
            client.get(path, params=params).raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def read_figures(server: Server) -> dict[str, float]:
    facets = {"fields": "{}", "facets": json.dumps(FACETS)}
    limits = json.dumps({"limit": 25, "skip": 0, "order": "creationTime:desc"})
    text = {"fields": json.dumps({"text": "lysozyme"}), "limits": limits}
    return {
        "fullfacet, 8 facets, anonymous (ms p50)": _timed(
            server, None, "/api/v3/datasets/fullfacet", facets, 10
        ),
        "fullfacet, 8 facets, user in 3 groups (ms p50)": _timed(
            server, "member", "/api/v3/datasets/fullfacet", facets, 10
        ),
        "fullfacet, 8 facets, admin (ms p50)": _timed(
            server, "admin", "/api/v3/datasets/fullfacet", facets, 10
        ),
        "fullquery text, limit 25 (ms p50)": _timed(
            server, "member", "/api/v3/datasets/fullquery", text, 20
        ),
    }


async def _drive(server: Server, path: str, bodies: list[dict[str, Any]], in_flight: int) -> None:
    headers = {"Authorization": f"Bearer {server.tokens['ingestor']}"}
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=in_flight)
    async with httpx.AsyncClient(
        base_url=server.url, headers=headers, limits=limits, timeout=120
    ) as client:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                (await client.post(path, json=body)).raise_for_status()

        await asyncio.gather(*(worker() for _ in range(in_flight)))


def create_figures(server: Server, count: int, rng: random.Random) -> dict[str, float]:
    ingestor = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.tokens['ingestor']}"}
    )
    parents = [
        ingestor.post(
            "/api/v4/datasets", json=fake_dataset(i, rng) | {"ownerGroup": "group0"}
        ).json()["pid"]
        for i in range(count // 10)
    ]
    kinds = {
        "datasets": (
            "/api/v4/datasets",
            [fake_dataset(i, rng) | {"ownerGroup": "group0"} for i in range(count)],
        ),
        "origdatablocks": (
            "/api/v4/origdatablocks",
            [
                {
                    "datasetId": parents[i % len(parents)],
                    "size": 300,
                    "ownerGroup": "group0",
                    "dataFileList": [
                        {"path": f"f{i}/{n}.h5", "size": 100, "time": "2024-01-01T00:00:00Z"}
                        for n in range(3)
                    ],
                }
                for i in range(count)
            ],
        ),
        "samples": (
            "/api/v3/samples",
            [
                {
                    "sampleName": f"s{i}",
                    "ownerGroup": "group0",
                    "sampleCharacteristics": {"mass": {"value": 1, "unit": "mg"}},
                }
                for i in range(count)
            ],
        ),
    }
    figures: dict[str, float] = {}
    for kind, (path, bodies) in kinds.items():
        server_cpu, pg_cpu = server.server_cpu(), server.backend_cpu()
        start = time.perf_counter()
        asyncio.run(_drive(server, path, bodies, in_flight=16))
        elapsed = time.perf_counter() - start
        figures[f"{kind}: creates/s (16 in flight)"] = count / elapsed
        figures[f"{kind}: server CPU ms per create"] = (
            (server.server_cpu() - server_cpu) * 1000 / count
        )
        figures[f"{kind}: PostgreSQL CPU ms per create"] = (
            (server.backend_cpu() - pg_cpu) * 1000 / count
        )
    if server.workers == 1:
        figures["backend RSS after the run (MiB)"] = _rss_mib(server.process.pid)
    ingestor.close()
    return figures


def export_revision(revision: str) -> Path:
    target = Path(tempfile.mkdtemp(prefix="scicat-lite-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "services/scicat-lite/src"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "services/scicat-lite/src"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--creates", type=int, default=1500)
    parser.add_argument("--baseline", help="git revision to compare with (e.g. main)")
    parser.add_argument(
        "--workers", type=int, default=1, help="also run the current version with N workers"
    )
    args = parser.parse_args()
    admin_url = os.environ["SCICATLIVE_TEST_POSTGRES_URL"]
    rng = random.Random(1)
    docs = [
        datasets.create(fake_dataset(i, rng), username="bench", pid_prefix="bench", version="4")
        for i in range(args.datasets)
    ]
    current = ROOT / "services/scicat-lite/src"
    versions: list[tuple[str, Path, int]] = [("current", current, 1)]
    if args.workers > 1:
        versions.append((f"current, {args.workers} workers", current, args.workers))
    if args.baseline:
        versions.insert(0, (args.baseline, export_revision(args.baseline), 1))
    results: dict[str, dict[str, float]] = {}
    try:
        for label, source, workers in versions:
            with (
                scratch_database(admin_url, f"v{len(results)}") as url,
                running_server(label, source, url, workers) as server,
            ):
                load_datasets(url, docs)
                results[label] = read_figures(server)
                results[label] |= create_figures(server, args.creates, random.Random(2))
    finally:
        for _, source, _ in versions:
            if source != current:
                shutil.rmtree(source.parents[2], ignore_errors=True)
    names = list(next(iter(results.values())))
    labels = list(results)
    print(f"{args.datasets} datasets; columns: " + " | ".join(labels))
    for name in names:
        values = [results[label].get(name, float("nan")) for label in labels]
        print(f"{name:55s} " + "  ".join(f"{v:10.1f}" for v in values))


if __name__ == "__main__":
    main()
