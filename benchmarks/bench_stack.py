"""Foundation benchmark: config, cold build, up to healthy, re-up. Run by hand.

    python benchmarks/bench_stack.py [--profile lite] [--cold]

Needs a Docker engine; `--cold` removes every scicatlive image and the wheel
cache first (and needs root for the bootstrap). Uses its own stack name, port
offset and state directory, so it never touches a developer's stack.
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
from pathlib import Path

from scicatlive.engine import docker_config_dir

STACK = "bench"
OFFSET = "12000"


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed


def remove_images() -> None:
    listed = subprocess.run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}"], capture_output=True, text=True).stdout
    ours = [line for line in listed.split() if line.startswith("scicatlive/")]
    if ours:
        subprocess.run(["docker", "rmi", "-f", *ours], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="lite")
    parser.add_argument("--cold", action="store_true", help="remove images and caches first")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    state = tempfile.mkdtemp(prefix="bench-state-")
    env = {**os.environ, "SCICATLIVE_STATE_DIR": state, "NO_COLOR": "1"}
    common = ["--profile", args.profile, "--stack", STACK, "--port-offset", OFFSET]
    figures: dict[str, float | list[float]] = {}

    if args.cold:
        remove_images()
        shutil.rmtree(Path(env.get("SCICATLIVE_CACHE_DIR", Path.home() / ".cache/scicatlive")) / "wheelhouse", ignore_errors=True)
        figures["cold_build_s"] = timed(["scicatlive", "images", "build", "--profile", args.profile], env)

    configs = [timed(["scicatlive", "config", *common], env) for _ in range(args.repeat)]
    figures["config_s"] = configs
    try:
        ups, reups = [], []
        for _ in range(args.repeat):
            subprocess.run(["scicatlive", "down", "--stack", STACK, "--volumes"], env=env, capture_output=True)
            ups.append(timed(["scicatlive", "up", *common], env))
            reups.append(timed(["scicatlive", "up", *common], env))
        figures["up_built_s"] = ups
        figures["reup_s"] = reups
        # The same compose file through plain `docker compose up --wait`, for the ratio.
        compose_file = Path(state) / "stacks" / STACK / "compose.yaml"
        plugin_config = docker_config_dir()
        plain = []
        for _ in range(args.repeat):
            subprocess.run(["scicatlive", "down", "--stack", STACK, "--volumes"], env=env, capture_output=True)
            subprocess.run(["scicatlive", "config", *common], env=env, capture_output=True)
            plain.append(timed(["docker", "--config", str(plugin_config), "compose", "-f", str(compose_file),
                                "up", "-d", "--wait", "--quiet-pull"], env))
        figures["plain_compose_up_wait_s"] = plain
    finally:
        subprocess.run(["scicatlive", "down", "--stack", STACK, "--volumes"], env=env, capture_output=True)
        shutil.rmtree(state, ignore_errors=True)

    ratio = statistics.median(figures["up_built_s"]) / statistics.median(plain)  # type: ignore[arg-type]
    summary: dict[str, float] = {
        key: round(statistics.median(value), 2) if isinstance(value, list) else round(value, 1)
        for key, value in figures.items()
    }
    summary["ratio_scicatlive_up_over_plain_compose"] = round(ratio, 2)
    print(json.dumps({"machine": f"{platform.machine()}, {os.cpu_count()} cores", "profile": args.profile,
                      "median": summary, "runs": figures}, indent=2))


if __name__ == "__main__":
    main()
