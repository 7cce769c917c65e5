"""Auto-processing runs (derived datasets) as ISPyB shows them, and which one is best.

**The rule for "best"** (stated on the page, configured in ``processing.best``): only runs
whose status is a success and that carry statistics compete. Among them the space group
of highest symmetry wins (the largest point group: a lower-symmetry solution of the same
crystal is most often a mis-indexing), and among equals the better value of the ranking
statistic in the ranking shell (by default the higher ⟨I/σ(I)⟩ of the overall shell, as
ISPyB's UI ranks by default). Remaining ties go to the pipeline name, then the PID, so
the choice never depends on the order the backend answered in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import Dataset
from .spacegroups import point_group_order
from .spec import ProcessingSpec, StatisticSpec
from .values import NOTHING, Shown, lookup, quantity, show


@dataclass(frozen=True)
class Statistic:
    spec: StatisticSpec
    by_shell: dict[str, Shown]  # shell name → value


@dataclass
class Run:
    dataset: Dataset
    pipeline: str
    status: str
    message: str
    succeeded: bool
    space_group: str
    cell: list[Shown]
    anomalous: bool | None
    statistics: list[Statistic]
    has_statistics: bool
    rank_value: float | None = None
    best: bool = False
    symmetry: int | None = field(default=None)

    @property
    def cell_edges(self) -> str:
        return " ".join(c.text or "—" for c in self.cell[:3])

    @property
    def cell_angles(self) -> str:
        return " ".join(c.text or "—" for c in self.cell[3:])


def _text(metadata: dict[str, Any], key: str) -> str:
    value, _ = quantity(lookup(metadata, key))
    return "" if value is None else str(value)


def _shell_value(shell: Any, statistic: StatisticSpec) -> Shown:
    if not isinstance(shell, dict):
        return NOTHING
    if statistic.key is not None:
        return show(lookup(shell, statistic.key), digits=statistic.digits)
    low = show(lookup(shell, statistic.low or ""), digits=statistic.digits)
    high = show(lookup(shell, statistic.high or ""), digits=statistic.digits)
    if not low.present and not high.present:
        return NOTHING
    return Shown(
        f"{low.text or '?'} – {high.text or '?'}", high.unit or low.unit, (low.raw, high.raw)
    )


def _number(entry: Any) -> float | None:
    value, _ = quantity(entry)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def make_run(dataset: Dataset, spec: ProcessingSpec) -> Run:
    metadata = dataset.scientificMetadata
    shells = {shell.name: lookup(metadata, shell.key) for shell in spec.shells}
    statistics = [
        Statistic(s, {name: _shell_value(shells[name], s) for name in shells})
        for s in spec.statistics
    ]
    status = _text(metadata, spec.status)
    pipeline = _text(metadata, spec.pipeline) or (
        dataset.usedSoftware[0] if dataset.usedSoftware else ""
    )
    anomalous_value = quantity(lookup(metadata, spec.anomalous))[0] if spec.anomalous else None
    space_group = _text(metadata, spec.space_group)
    rank_shell = shells.get(spec.best.shell)
    return Run(
        dataset=dataset,
        pipeline=pipeline or dataset.datasetName or dataset.pid,
        status=status,
        message=_text(metadata, spec.message) if spec.message else "",
        succeeded=status in spec.success,
        space_group=space_group,
        cell=[show(lookup(metadata, key), digits=2) for key in spec.cell],
        anomalous=anomalous_value if isinstance(anomalous_value, bool) else None,
        statistics=statistics,
        has_statistics=any(isinstance(shell, dict) and shell for shell in shells.values()),
        rank_value=_number(lookup(rank_shell, spec.best.key))
        if isinstance(rank_shell, dict)
        else None,
        symmetry=point_group_order(space_group),
    )


def _competes(run: Run) -> bool:
    return run.succeeded and run.has_statistics


def rank_runs(datasets: list[Dataset], spec: ProcessingSpec) -> list[Run]:
    """Every run, best first, then the other competitors in rank order, then the rest by name."""
    runs = [make_run(dataset, spec) for dataset in datasets]
    sign = -1.0 if spec.best.better == "higher" else 1.0

    def key(run: Run) -> tuple[Any, ...]:
        if not _competes(run):  # failed or without statistics: after the others, by name
            return (1, 0, 0.0, run.pipeline, run.dataset.pid)
        symmetry = -(run.symmetry or 0) if spec.best.symmetry_first else 0
        value = sign * run.rank_value if run.rank_value is not None else float("inf")
        return (0, symmetry, value, run.pipeline, run.dataset.pid)

    runs.sort(key=key)
    if runs and _competes(runs[0]):
        runs[0].best = True
    return runs


def best_run(datasets: list[Dataset], spec: ProcessingSpec) -> Run | None:
    runs = rank_runs(datasets, spec)
    return runs[0] if runs and runs[0].best else None


def rule_text(spec: ProcessingSpec) -> str:
    """The rule in words, as the page states it."""
    shell = next(s.label for s in spec.shells if s.name == spec.best.shell)
    statistic = next((s.label for s in spec.statistics if s.key == spec.best.key), spec.best.key)
    parts = [f"Best: among runs that succeeded ({', '.join(spec.success)}) and have statistics"]
    if spec.best.symmetry_first:
        parts.append("the space group of highest symmetry")
        parts.append(f"then the {spec.best.better} {statistic} in the {shell.lower()} shell")
    else:
        parts.append(f"the {spec.best.better} {statistic} in the {shell.lower()} shell")
    return ", ".join(parts) + "."


def summary(run: Run, shell: str, keys: list[str]) -> list[tuple[str, str]]:
    """``(label, value)`` of the statistics named by ``keys`` in one shell, for a one-line summary."""
    pairs: list[tuple[str, str]] = []
    for statistic in run.statistics:
        spec = statistic.spec
        if {spec.key, spec.low, spec.high} & set(keys):
            value = statistic.by_shell.get(shell)
            if value is not None and value.present:
                pairs.append((spec.label, value.text))
    return pairs
