"""The training kit's cost: the Jupyter image, and the stack's memory with JupyterLab in it.

    python benchmarks/bench_training.py                     # starts stack "bench-training" (offset 27100), seeds, measures, tears down
    python benchmarks/bench_training.py --stack hj-training # an existing training stack (left running)

Prints the image sizes, each container's memory at rest, then with N idle kernels
(one per trainee who opened a notebook) and while the search exercise runs.
"""

from __future__ import annotations

import argparse
import threading
import time

import httpx

from scicatlive import Stack
from scicatlive.engine import default_engine

MIB = 1024 * 1024


def memory(project: str) -> dict[str, float]:
    """Container → MiB in use, as `docker stats` reports it."""
    client = default_engine().client()
    label = f"com.docker.compose.project={project}"
    containers = client.container.list(filters={"label": label})
    return {s.container_name.removeprefix(f"{project}-").removesuffix("-1"): s.memory_used / MIB
            for s in client.container.stats(containers)}


def show(title: str, figures: dict[str, float]) -> float:
    total = sum(figures.values())
    print(f"{title}: total {total:.0f} MiB  " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(figures.items())))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="an existing, seeded training stack")
    parser.add_argument("--kernels", type=int, default=5)
    args = parser.parse_args()
    name = args.stack or "bench-training"
    handle = Stack.existing(name) if args.stack else Stack("training", name=name)
    if args.stack is None:
        started = time.monotonic()
        handle.up(timeout=900)  # seeds the profile's `training` recipe
        print(f"training stack up and seeded in {time.monotonic() - started:.0f} s")
    stack = handle.resolved
    client = default_engine().client()
    for image in (stack.services["jupyter"].image, "scicatlive/python:bookworm"):
        print(f"image {image}: {client.image.inspect(image).size / 1e6:.0f} MB")
    try:
        rest = memory(stack.project)
        total = show("at rest", rest)
        print(f"  without jupyter {total - rest['jupyter']:.0f} MiB; with it x{total / (total - rest['jupyter']):.2f}")
        url, token = stack.public_url("jupyter"), handle.credentials().secrets["jupyter_token"]
        kernels = [httpx.post(f"{url}/api/kernels", params={"token": token}, json={"name": "python3"}, timeout=120).json()["id"]
                   for _ in range(args.kernels)]
        time.sleep(10)
        with_kernels = memory(stack.project)["jupyter"]
        print(f"jupyter with {args.kernels} idle kernels: {with_kernels:.0f} MiB "
              f"({(with_kernels - rest['jupyter']) / args.kernels:.0f} MiB per kernel)")
        for kernel in kernels:
            httpx.delete(f"{url}/api/kernels/{kernel}", params={"token": token}, timeout=60)
        peak = _peak_while_running_search(stack.project, name)
        print(f"jupyter while the search exercise runs: peak {peak:.0f} MiB")
    finally:
        if args.stack is None:
            handle.down(volumes=True)


def _peak_while_running_search(project: str, stack: str) -> float:
    trainee = max(Stack.existing(stack).credentials().accounts, key=lambda a: len(a.groups))
    container = f"{project}-jupyter-1"
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, memory(project).get("jupyter", 0.0))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    default_engine().client().container.execute(
        container, ["python", "-m", "scicatlive.training.run", "/home/app/work/01-search.ipynb"],
        envs={"SCICAT_USERNAME": trainee.username, "SCICAT_PASSWORD": trainee.password},
    )
    done.set()
    sampler.join()
    return peak


if __name__ == "__main__":
    main()
