"""A check report as a terminal table, as JSON, and as JUnit XML for CI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from rich.table import Table

from scicatlive.checks.model import Check, CheckReport, Status

COLOURS = {Status.PASSED: "green", Status.FAILED: "red", Status.SKIPPED: "yellow"}


def table(report: CheckReport) -> Table:
    counts = report.counts()
    title = (f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped "
             f"in {report.seconds:.1f} s — {report.target.get('backend_url')}")  # fmt: skip
    grid = Table("check", "result", "seconds", "details", title=title, show_lines=False)
    for result in report.results:
        colour = COLOURS[result.status]
        grid.add_row(result.id, f"[{colour}]{result.status.value}[/]", f"{result.seconds:.2f}", result.message)
    return grid


def list_table(checks: list[Check]) -> Table:
    grid = Table("check", "writes", "needs", "what it verifies", title="scicatlive checks")
    for check in checks:
        grid.add_row(check.id, "yes" if check.writes else "", ", ".join(sorted(check.needs)), check.description)
    return grid


def to_json(report: CheckReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "counts": report.counts(),
        "seconds": report.seconds,
        "target": report.target,
        "results": [r.model_dump(mode="json") for r in report.results],
    }


def to_junit(report: CheckReport) -> ET.ElementTree:
    """One testsuite ``scicatlive.check``, one testcase per check (classname = its family)."""
    counts = report.counts()
    suite = ET.Element("testsuite", {
        "name": "scicatlive.check", "tests": str(len(report.results)), "failures": str(counts["failed"]),
        "errors": "0", "skipped": str(counts["skipped"]), "time": f"{report.seconds:.3f}",
    })  # fmt: skip
    properties = ET.SubElement(suite, "properties")
    for key, value in report.target.items():
        if value is not None:
            ET.SubElement(properties, "property", {"name": key, "value": value})
    for result in report.results:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"scicatlive.check.{result.id.split('.', 1)[0]}", "name": result.id, "time": f"{result.seconds:.3f}",
        })  # fmt: skip
        if result.status is Status.FAILED:
            failure = ET.SubElement(case, "failure", {"message": result.message[:500], "type": "CheckFailed"})
            failure.text = result.message
        elif result.status is Status.SKIPPED:
            ET.SubElement(case, "skipped", {"message": result.message})
        else:
            ET.SubElement(case, "system-out").text = result.message
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.ElementTree(root)


def write_junit(report: CheckReport, path: Path) -> None:
    tree = to_junit(report)
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
