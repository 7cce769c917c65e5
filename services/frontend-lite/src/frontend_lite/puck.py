"""The positions of a puck as a drawing: a Unipuck has 16 (5 inside, 11 around), a Spinepuck 10.

Positions are numbered clockwise from the top, the inner ring first. The
layout is pure geometry; ``templates/_puck.html`` draws it as inline SVG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import ispyb_keys
from .models import Sample

# Positions per ring, inner ring first, and each ring's radius in drawing units.
RINGS: dict[str, tuple[tuple[int, float], ...]] = {
    "unipuck": ((5, 36.0), (11, 80.0)),
    "spinepuck": ((10, 66.0),),
}
CAPACITY_KIND = {16: "unipuck", 10: "spinepuck"}
POSITION_RADIUS = 15.0
MARGIN = 24.0
MAX_GENERIC_POSITIONS = 96


@dataclass(frozen=True)
class Position:
    number: int
    x: float
    y: float
    sample: Sample | None = None


@dataclass(frozen=True)
class PuckLayout:
    kind: str
    capacity: int
    size: float
    positions: list[Position]
    # Children without a position, or with one the puck does not have.
    unplaced: list[Sample] = field(default_factory=list)

    @property
    def centre(self) -> float:
        return self.size / 2

    @property
    def outline_radius(self) -> float:
        return self.size / 2 - 4

    @property
    def filled(self) -> int:
        return sum(1 for p in self.positions if p.sample is not None)

    @property
    def position_radius(self) -> float:
        return POSITION_RADIUS


def _rings_for(kind: str | None, capacity: int | None) -> tuple[str, tuple[tuple[int, float], ...]]:
    key = (kind or "").strip().lower()
    if key in RINGS:
        return key, RINGS[key]
    if capacity in CAPACITY_KIND:
        known = CAPACITY_KIND[capacity]
        return known, RINGS[known]
    count = max(1, min(capacity or 16, MAX_GENERIC_POSITIONS))
    # One ring whose circumference leaves a position's width between neighbours.
    radius = max(60.0, count * 2.6 * POSITION_RADIUS / (2 * math.pi))
    return "generic", ((count, radius),)


def _points(rings: tuple[tuple[int, float], ...], centre: float) -> list[tuple[float, float]]:
    points = []
    for count, radius in rings:
        for i in range(count):
            angle = -math.pi / 2 + 2 * math.pi * i / count
            points.append(
                (
                    round(centre + radius * math.cos(angle), 2),
                    round(centre + radius * math.sin(angle), 2),
                )
            )
    return points


def layout(puck: Sample, children: list[Sample]) -> PuckLayout:
    container = ispyb_keys.container_type(puck)
    kind, rings = _rings_for(container, ispyb_keys.capacity(puck))
    outer = max(radius for _, radius in rings)
    size = 2 * (outer + POSITION_RADIUS + MARGIN)
    points = _points(rings, size / 2)
    by_position: dict[int, Sample] = {}
    unplaced: list[Sample] = []
    for child in children:
        where = ispyb_keys.location(child)
        if where is None or not 1 <= where <= len(points) or where in by_position:
            unplaced.append(child)
        else:
            by_position[where] = child
    positions = [
        Position(number=n, x=x, y=y, sample=by_position.get(n))
        for n, (x, y) in enumerate(points, start=1)
    ]
    label = container or {"unipuck": "Unipuck", "spinepuck": "Spinepuck"}.get(kind, "Puck")
    return PuckLayout(
        kind=label,
        capacity=len(points),
        size=round(size, 2),
        positions=positions,
        unplaced=unplaced,
    )
