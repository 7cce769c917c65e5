"""Run the driver from another Python environment (scicatlive's, a test's): the plan
goes to ``python -m mxcube_driver`` of the environment that has mxcubecore."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from .plan import Connection

SOURCE = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Step:
    call: str
    args: dict[str, Any]


def step(call: str, parameters: Any = None, **args: Any) -> Step:
    """A plan step; ``parameters`` is one of plan's dataclasses (Mount, Collection...)."""
    values = asdict(parameters) if is_dataclass(parameters) else {}
    return Step(call, values | {key: _plain(value) for key, value in args.items()})


def _plain(value: Any) -> Any:
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def play(
    python: Path, connection: Connection, steps: Sequence[Step], timeout: float = 300
) -> Iterator[dict[str, Any]]:
    """Run the steps in ``python`` (a venv with mxcubecore); yields each step's record."""
    plan = {
        "connection": asdict(connection),
        "steps": [{"call": s.call, "args": s.args} for s in steps],
    }
    env = os.environ | {"PYTHONPATH": str(SOURCE)}
    process = subprocess.run(
        [str(python), "-m", "mxcube_driver"],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    if process.returncode == 2 or (process.returncode and not process.stdout):
        raise RuntimeError(f"the MXCuBE driver failed: {process.stderr.strip()[-2000:]}")
    for line in process.stdout.splitlines():
        yield json.loads(line)
