"""How long the full check suite takes on a lite stack seeded with ``tiny``.

    python benchmarks/bench_checks.py                    # starts stack "bench-checks" (free ports), seeds, runs, tears down
    python benchmarks/bench_checks.py --recipe large     # the same on a larger catalogue
    python benchmarks/bench_checks.py --stack devlite    # an existing, seeded stack (left as it is)

Prints the wall time of each run and of each check (median over the runs).
"""

from __future__ import annotations

import argparse
import statistics
import time

from scicatlive import Stack
from scicatlive.checks.model import Status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="an existing seeded stack (else one is started and seeded with tiny)")
    parser.add_argument("--recipe", default="tiny")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    stack = Stack.existing(args.stack) if args.stack else Stack("lite", name="bench-checks")
    if args.stack is None:
        started = time.monotonic()
        stack.up(timeout=300)
        stack.seed(args.recipe)
        print(f"stack up and seeded with {args.recipe} in {time.monotonic() - started:.1f} s")
    try:
        totals: list[float] = []
        per_check: dict[str, list[float]] = {}
        for run in range(args.runs):
            started = time.monotonic()
            report = stack.check()
            totals.append(time.monotonic() - started)
            for result in report.results:
                per_check.setdefault(result.id, []).append(result.seconds)
            print(f"run {run + 1}: {totals[-1]:.2f} s, {report.counts()}", flush=True)
            for result in report.results:
                if result.status is Status.FAILED:
                    print(f"  failed: {result.id}: {result.message}", flush=True)
        print(f"\nfull suite: median {statistics.median(totals):.2f} s, max {max(totals):.2f} s over {args.runs} runs")
        for check_id, seconds in per_check.items():
            print(f"  {check_id:<22} {statistics.median(seconds):6.2f} s")
    finally:
        if args.stack is None:
            stack.down(volumes=True)


if __name__ == "__main__":
    main()
