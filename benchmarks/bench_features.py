"""Feature services: cold build time of their images, memory of a stack with every feature on,
and an archive job's round trip.

    python benchmarks/bench_features.py builds           # each new image with --no-cache
    python benchmarks/bench_features.py memory [--profile lite-all] [--stack bench-features]
    python benchmarks/bench_features.py roundtrip [--jobs 20] [--archive-delay 0]

Run by hand; needs a Docker engine. `builds` tags its images `scicatlive-bench/<name>:cold`
and removes them afterwards (the base images must exist: `scicatlive images build`).
`memory` starts the profile under its own stack name, port offset and state directory,
reads `docker stats` once every service is healthy, and takes the stack down. `roundtrip`
starts `lite-jobs` (the archive worker's ARCHIVE_DELAY_SECONDS as given) and times archive
jobs from `POST /api/v4/jobs` by the dataset's owner to the job reading `finishedSuccessful`
(scicat-lite → RabbitMQ → archive worker → scicat-lite), one at a time, each on a new dataset.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scicatlive.images.context import assemble_context
from scicatlive.images.wheelhouse import wheelhouse_for
from scicatlive import Stack
from scicatlive.engine import default_engine
from scicatlive.stack.load import load_stack

FEATURE_SERVICES = ("rabbitmq", "ldap", "oidc", "archive-worker")
LITE_SERVICES = ("postgres", "mariadb", "scicat-lite", "ispyb-mock", "frontend-lite")


def cold_builds() -> None:
    stack = load_stack("lite-all")
    print("| image | cold build (no cache) | size |\n|---|---|---|")
    total = 0.0
    for name in FEATURE_SERVICES:
        build = stack.services[name].build
        assert build is not None
        tag = f"scicatlive-bench/{name}:cold"
        with tempfile.TemporaryDirectory() as directory:
            context = Path(directory)
            assemble_context(build.folder, context)
            (context / "wheelhouse").mkdir(exist_ok=True)
            if build.spec.requirements:  # filled before the clock starts: it is the host's pip
                for wheel in wheelhouse_for(build.folder / build.spec.requirements).glob("*.whl"):
                    shutil.copy2(wheel, context / "wheelhouse" / wheel.name)
            started = time.perf_counter()
            subprocess.run(
                ["docker", "build", "--no-cache", "-q", "-t", tag, "--build-arg",
                 f"BASE_IMAGE={build.base_image}", "-f", str(context / build.spec.dockerfile), str(context)],
                check=True, capture_output=True,
            )
            elapsed = time.perf_counter() - started
        size = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", tag],
                              capture_output=True, text=True, check=True).stdout.strip()
        subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)
        total += elapsed
        print(f"| {name} | {elapsed:.0f} s | {int(size) / 1e6:.0f} MB |", flush=True)
    print(f"| **all four** | **{total:.0f} s** | |")


def _mebibytes(text: str) -> float:
    value = text.split("/")[0].strip()
    for unit, factor in (("GiB", 1024), ("MiB", 1), ("KiB", 1 / 1024), ("B", 1 / 1024 / 1024)):
        if value.endswith(unit):
            return float(value.removesuffix(unit)) * factor
    raise ValueError(value)


def memory(profile: str, stack_name: str, offset: int) -> None:
    os.environ.setdefault("SCICATLIVE_STATE_DIR", tempfile.mkdtemp(prefix="bench-features-"))
    engine = default_engine()
    stack = Stack(profile, name=stack_name, port_offset=offset, engine=engine)
    started = time.perf_counter()
    stack.up(timeout=900, seed=False)
    up_seconds = time.perf_counter() - started
    try:
        time.sleep(20)  # let start-up work settle before reading
        output = subprocess.run(
            ["docker", "stats", "--no-stream", "--format", "{{.Name}}\t{{.MemUsage}}",
             *[c for c in subprocess.run(
                 ["docker", "ps", "-q", "--filter", f"label=com.docker.compose.project={stack.project}"],
                 capture_output=True, text=True, check=True).stdout.split()]],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        stack.down(volumes=True)
    usage = {}
    for line in output.splitlines():
        name, mem = line.split("\t")
        service = name.removeprefix(f"{stack.project}-").rsplit("-", 1)[0]
        usage[service] = _mebibytes(mem)
    print(f"`up` to all-healthy: {up_seconds:.0f} s\n\n| service | memory |\n|---|---|")
    for service, mib in sorted(usage.items(), key=lambda item: -item[1]):
        print(f"| {service} | {mib:.0f} MiB |")
    features = sum(v for k, v in usage.items() if k in FEATURE_SERVICES)
    base = sum(v for k, v in usage.items() if k in LITE_SERVICES)
    print(f"| **feature services** | **{features:.0f} MiB** |\n| **lite's own services** | **{base:.0f} MiB** |")
    print(f"| **whole stack** | **{sum(usage.values()):.0f} MiB** |")
    if base:
        print(f"\nfeatures / lite = {features / base:.2f}×")


def _roundtrips(target: object, jobs: int) -> list[float]:
    import httpx

    from scicatlive.checks.datasets import dataset_body

    url = target.backend_url  # type: ignore[attr-defined]

    def client(user: str) -> httpx.Client:
        token = httpx.post(f"{url}/api/v3/auth/login", json={
            "username": user, "password": target.password(user)}).json()["access_token"]  # type: ignore[attr-defined]
        return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    seconds = []
    with client("admin") as admin, client("user1") as owner:
        for n in range(jobs + 1):  # the first one warms the connections up and is not counted
            pid = admin.post("/api/v3/datasets", json=dataset_body(f"bench-roundtrip-{n}", "benchroundtrip")).json()["pid"]
            started = time.perf_counter()
            job = owner.post("/api/v4/jobs", json={"type": "archive", "ownerGroup": "group1",
                                                   "jobParams": {"datasetList": [{"pid": pid, "files": []}]}}).json()
            while True:
                status = owner.get(f"/api/v4/jobs/{job['id']}").json()["statusCode"]
                if status.startswith("finished"):
                    break
                time.sleep(0.02)
            assert status == "finishedSuccessful", status
            if n:
                seconds.append(time.perf_counter() - started)
    return seconds


def roundtrip(jobs: int, delay: float | None, stack_name: str) -> None:
    os.environ.setdefault("SCICATLIVE_STATE_DIR", tempfile.mkdtemp(prefix="bench-features-"))
    profile: str | Path = "lite-jobs"
    if delay is not None:
        profile = Path(tempfile.mkdtemp(prefix="bench-profile-")) / "jobs.yaml"
        profile.write_text("extends: lite-jobs\nservices:\n  archive-worker:\n"
                           f"    environment: {{ARCHIVE_DELAY_SECONDS: \"{delay:g}\"}}\n")
    stack = Stack(profile, name=stack_name, port_offset="auto", engine=default_engine())
    stack.up(timeout=900, seed=False)
    try:
        configured = stack.resolved.services["archive-worker"].environment["ARCHIVE_DELAY_SECONDS"]
        seconds = sorted(_roundtrips(stack.target, jobs))
    finally:
        stack.down(volumes=True)
    p50 = seconds[len(seconds) // 2]
    print(f"archive delay {configured} s, {len(seconds)} jobs: min {seconds[0]:.2f} s, p50 {p50:.2f} s, "
          f"max {seconds[-1]:.2f} s; overhead beyond the delay at p50: {p50 - float(configured):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["builds", "memory", "roundtrip"])
    parser.add_argument("--profile", default="lite-all")
    parser.add_argument("--stack", default="bench-features")
    parser.add_argument("--port-offset", type=int, default=12000)
    parser.add_argument("--jobs", type=int, default=20, help="roundtrip: jobs timed")
    parser.add_argument("--archive-delay", type=float, default=None, help="roundtrip: the worker's ARCHIVE_DELAY_SECONDS")
    args = parser.parse_args()
    if args.what == "builds":
        cold_builds()
    elif args.what == "roundtrip":
        roundtrip(args.jobs, args.archive_delay, args.stack)
    else:
        memory(args.profile, args.stack, args.port_offset)


if __name__ == "__main__":
    sys.exit(main())
