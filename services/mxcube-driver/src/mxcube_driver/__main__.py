"""``python -m mxcube_driver < plan.json``: play a plan through mxcubecore's adapter.

The plan is ``{"connection": {...Connection}, "steps": [{"call": NAME, "args": {...}}]}``;
each step prints one JSON line on stdout as it completes:
``{"step", "call", "ok", "result", "failures", "defects", "error"}``. ``failures`` are
what the adapter logged (it reports a refused request in its log and returns 0, -1 or
{}); ``defects`` what it logs of its own known bugs (``driver.KNOWN_DEFECTS``);
``error`` is an exception that escaped it. Exit status: 0 when every step was ok,
1 when one was not, 2 for a plan that cannot be read.
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


def run(plan: dict[str, Any], out: Any) -> bool:
    from .driver import BeamlineDriver  # needs mxcubecore: imported once the plan is read

    driver = BeamlineDriver(build(Connection, plan["connection"]))
    table = _steps(driver)
    all_ok = True
    for index, step in enumerate(plan.get("steps", [])):
        name = step.get("call")
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
        all_ok &= record["ok"]
        out.write(json.dumps(record, default=str) + "\n")
        out.flush()
    return all_ok


def main() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
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
