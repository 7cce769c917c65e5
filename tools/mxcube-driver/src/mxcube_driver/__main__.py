"""``python -m mxcube_driver < plan.json``: play a plan through mxcubecore's adapter.

The plan is ``{"connection": {...Connection}, "steps": [{"call": NAME, "args": {...}}]}``;
each step prints one JSON line on stdout as it completes:
``{"step", "call", "ok", "result", "failures", "defects", "error"}``. ``failures`` are
what the adapter logged (it reports a refused request in its log and returns 0, -1 or
{}); ``defects`` what it logs of its own known bugs (``driver.KNOWN_DEFECTS``);
``error`` is an exception that escaped it. Exit status: 0 when every step was ok,
1 when one was not, 2 for a plan that cannot be read.

``python -m mxcube_driver --stream`` keeps one adapter for a long session (a
simulated beamline day): the first line of stdin is ``{"connection": {...}}``, each
further line one step; each step's record is written as soon as it completes, and
the driver ends at the end of its input (exit 0), or with 2 when the first line is
not a connection.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

from .plan import BeamlineConfig, Collection, Connection, EnergyScan, Mount, XrfSpectrum, build


def _steps(driver: Any) -> dict[str, Callable[[dict[str, Any]], Any]]:
    def config(args: dict[str, Any]) -> BeamlineConfig | None:
        raw = args.pop("config", None)
        return None if raw is None else build(BeamlineConfig, raw)

    return {
        "login": lambda a: driver.login(),
        "refresh": lambda a: driver.refresh(),
        "current_user": lambda a: driver.current_user(),
        "proposals": lambda a: driver.proposals(),
        "find_proposal": lambda a: driver.find_proposal(**a),
        "sessions": lambda a: driver.sessions(**a),
        "sessions_today": lambda a: driver.sessions_today(**a),
        "sessions_by_username": lambda a: driver.sessions_by_username(),
        "create_session": lambda a: driver.create_session(**a),
        "session": lambda a: driver.session(**a),
        "samples": lambda a: driver.samples(**a),
        "data_collection": lambda a: driver.data_collection(**a),
        "find_detector": lambda a: driver.find_detector(**a),
        "mount": lambda a: driver.mount(build(Mount, a)),
        "beamline_setup": lambda a: driver.beamline_setup(a["session_id"], config(a)),
        "collect": lambda a: driver.collect(
            build(Collection, {k: v for k, v in a.items() if k != "config"}), config(a)
        ),
        "energy_scan": lambda a: driver.energy_scan(build(EnergyScan, a)),
        "xrf_spectrum": lambda a: driver.xrf_spectrum(build(XrfSpectrum, a)),
    }


def _driver(connection: dict[str, Any]) -> tuple[Any, dict[str, Callable[[dict[str, Any]], Any]]]:
    from .driver import BeamlineDriver  # needs mxcubecore: imported once the plan is read

    driver = BeamlineDriver(build(Connection, connection))
    return driver, _steps(driver)


def _play_step(driver: Any, table: dict[str, Any], index: int, step: Any, out: Any) -> bool:
    name = step.get("call") if isinstance(step, dict) else None
    record: dict[str, Any] = {"step": index, "call": name, "ok": False, "failures": []}
    driver.failures.clear()
    try:
        if name not in table:
            raise ValueError(f"unknown call {name!r}; known: {', '.join(table)}")
        record["result"] = table[name](dict(step.get("args", {})))
        record["ok"] = not driver.failures.messages
    except Exception as error:  # noqa: BLE001 - reported to the caller, step by step
        record["error"] = f"{type(error).__name__}: {error}"
    record["failures"] = list(driver.failures.messages)
    record["defects"] = list(driver.failures.defects)
    out.write(json.dumps(record, default=str) + "\n")
    out.flush()
    return bool(record["ok"])


def run(plan: dict[str, Any], out: Any) -> bool:
    driver, table = _driver(plan["connection"])
    all_ok = True
    for index, step in enumerate(plan.get("steps", [])):
        all_ok &= _play_step(driver, table, index, step, out)
    return all_ok


def stream(lines: Any, out: Any) -> int:
    """One step per input line, played as it arrives, until the input ends."""
    lines = iter(lines)
    try:
        first = json.loads(next(lines, "") or "null")
        if not isinstance(first, dict) or "connection" not in first:
            raise ValueError('the first line needs {"connection": {...}}')
    except ValueError as error:
        print(f"mxcube-driver: cannot read the connection: {error}", file=sys.stderr)
        return 2
    driver, table = _driver(first["connection"])
    for index, line in enumerate(lines):
        try:
            step = json.loads(line)
        except ValueError as error:
            step = {"call": None, "args": {}, "unreadable": str(error)}
        _play_step(driver, table, index, step, out)
    return 0


def main() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if sys.argv[1:] == ["--stream"]:
        return stream(sys.stdin, sys.stdout)
    try:
        plan = json.load(sys.stdin)
        if not isinstance(plan, dict) or "connection" not in plan:
            raise ValueError('the plan needs "connection" and "steps"')
    except ValueError as error:
        print(f"mxcube-driver: cannot read the plan: {error}", file=sys.stderr)
        return 2
    return 0 if run(plan, sys.stdout) else 1


if __name__ == "__main__":
    sys.exit(main())
