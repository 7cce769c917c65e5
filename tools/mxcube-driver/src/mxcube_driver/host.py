"""Run the driver from another Python environment (scicatlive's, a test's): the plan
goes to ``python -m mxcube_driver`` of the environment that has mxcubecore.

:func:`play` runs a whole plan at once; :class:`DriverProcess` keeps one driver (one
logged-in adapter) for a long session and plays each step as it is sent.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any, Self

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


class DriverFailed(RuntimeError):
    """The driver process ended or did not answer in time."""


class DriverProcess:
    """``python -m mxcube_driver --stream`` in ``python``: one adapter, one step at a time."""

    def __init__(self, python: Path, connection: Connection) -> None:
        self._errors = tempfile.TemporaryFile(mode="w+t")  # noqa: SIM115 - closed in close()
        env = os.environ | {"PYTHONPATH": str(SOURCE)}
        self._process = subprocess.Popen(
            [str(python), "-m", "mxcube_driver", "--stream"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
            text=True, bufsize=1, env=env,
            start_new_session=True,  # Ctrl-C reaches the caller, which ends the session cleanly
        )  # fmt: skip
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="mxcube-driver", daemon=True)
        self._reader.start()
        self._send({"connection": asdict(connection)})

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise DriverFailed(f"the MXCuBE driver has ended: {self.stderr_tail()}") from None

    def call(self, step: Step, timeout: float = 120) -> dict[str, Any]:
        """Play one step; its record (``ok``, ``result``, ``failures``, ``error``)."""
        self._send({"call": step.call, "args": step.args})
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise DriverFailed(
                f"the MXCuBE driver did not finish {step.call!r} within {timeout:.0f} s"
            ) from None
        if line is None:
            raise DriverFailed(f"the MXCuBE driver has ended: {self.stderr_tail()}")
        record: dict[str, Any] = json.loads(line)
        return record

    def stderr_tail(self, size: int = 2000) -> str:
        self._errors.seek(0)
        return self._errors.read().strip()[-size:] or f"exit status {self._process.poll()}"

    def close(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            try:
                self._process.stdin.close()
            except OSError:
                pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._errors.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
