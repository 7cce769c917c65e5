"""Stack lifecycle and CLI speed, side by side with plain compose. Run by hand.

    python benchmarks/bench_stack.py [--profile lite] [--repeat 5] [--cold]

Measures, in one run:
* ``scicatlive --help`` and ``scicatlive status`` (whole processes);
* ``scicatlive up`` + ``scicatlive down`` of the built stack against ``docker compose up
  --wait`` + ``docker compose down`` of the very same compose file, alternating the two so
  that both see the same machine;
* with ``--cold``: the cold build (images and wheel cache removed first; needs root).

Uses its own stack name, port offset and state directory, so it never touches a
developer's stack. Prints JSON; docs/benchmarks.md quotes it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from scicatlive.engine import docker_config_dir

STACK = "bench"
OFFSET = "12000"


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed


def remove_images() -> None:
    listed = subprocess.run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    ours = [line for line in listed.split() if line.startswith("scicatlive/")]
    if ours:
        subprocess.run(["docker", "rmi", "-f", *ours], capture_output=True, check=False)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="lite")
    parser.add_argument("--cold", action="store_true", help="remove images and caches first")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    state = tempfile.mkdtemp(prefix="bench-state-")
    env = {**os.environ, "SCICATLIVE_STATE_DIR": state, "NO_COLOR": "1"}
    common = ["--profile", args.profile, "--stack", STACK, "--port-offset", OFFSET]
    runs: dict[str, list[float]] = {}

    if args.cold:
        remove_images()
        cache = Path(env.get("SCICATLIVE_CACHE_DIR", Path.home() / ".cache/scicatlive"))
        shutil.rmtree(cache / "wheelhouse", ignore_errors=True)
        runs["cold_build_s"] = [timed(["scicatlive", "images", "build", "--profile", args.profile], env)]

    runs["help_s"] = [timed(["scicatlive", "--help"], env) for _ in range(10)]
    runs["config_s"] = [timed(["scicatlive", "config", *common], env) for _ in range(args.repeat)]
    compose_file = Path(state) / "stacks" / STACK / "compose.yaml"
    plain = ["docker", "--config", str(docker_config_dir()), "compose", "-p", f"scicatlive-{STACK}", "-f", str(compose_file)]
    try:
        timed(["scicatlive", "up", *common], env)  # builds what is missing, creates the volumes
        runs["status_s"] = [timed(["scicatlive", "status", "--stack", STACK], env) for _ in range(10)]
        timed(["scicatlive", "down", "--stack", STACK], env)
        for key in ("scicatlive_up_s", "scicatlive_down_s", "compose_up_s", "compose_down_s"):
            runs[key] = []
        for _ in range(args.repeat):
            runs["scicatlive_up_s"].append(timed(["scicatlive", "up", *common], env))
            runs["scicatlive_down_s"].append(timed(["scicatlive", "down", "--stack", STACK], env))
            runs["compose_up_s"].append(timed([*plain, "up", "-d", "--wait"], env))
            runs["compose_down_s"].append(timed([*plain, "down"], env))
    finally:
        subprocess.run(["scicatlive", "down", "--stack", STACK, "--volumes"], env=env, capture_output=True, check=False)
        shutil.rmtree(state, ignore_errors=True)

    ours = [u + d for u, d in zip(runs["scicatlive_up_s"], runs["scicatlive_down_s"], strict=True)]
    theirs = [u + d for u, d in zip(runs["compose_up_s"], runs["compose_down_s"], strict=True)]
    summary = {key: median(values) for key, values in runs.items()}
    summary["scicatlive_up_down_s"] = median(ours)
    summary["compose_up_down_s"] = median(theirs)
    summary["ratio_up_down"] = round(statistics.median(ours) / statistics.median(theirs), 3)
    summary["ratio_up"] = round(statistics.median(runs["scicatlive_up_s"]) / statistics.median(runs["compose_up_s"]), 3)
    print(json.dumps({"date": date.today().isoformat(), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
                      "profile": args.profile, "median": summary, "runs": runs}, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
