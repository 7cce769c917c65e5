"""Space groups and unit cells that a protein crystal can really have.

Proteins are chiral, so they crystallise only in the 65 Sohncke space groups
(no mirror planes, no inversion centres). Each group belongs to a crystal
system, and the system fixes which cell edges and angles are equal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from random import Random

from faker.providers import BaseProvider


class CrystalSystem(str, Enum):
    TRICLINIC = "triclinic"
    MONOCLINIC = "monoclinic"
    ORTHORHOMBIC = "orthorhombic"
    TETRAGONAL = "tetragonal"
    TRIGONAL = "trigonal"
    HEXAGONAL = "hexagonal"
    CUBIC = "cubic"


@dataclass(frozen=True)
class SpaceGroup:
    number: int
    symbol: str  # Hermann-Mauguin with blanks, as AutoProc.spaceGroup stores it: "P 21 21 21"
    system: CrystalSystem
    point_group_order: int

    @property
    def short_name(self) -> str:
        """ISPyB's Crystal.spaceGroup spelling, without blanks: ``P212121``."""
        return self.symbol.replace(" ", "")

    @property
    def centring(self) -> str:
        return self.symbol[0]

    @property
    def lattice_points(self) -> int:
        """Lattice points per conventional cell (R in the hexagonal setting has 3)."""
        return {"P": 1, "C": 2, "I": 2, "F": 4, "R": 3}[self.centring]


def _groups(system: CrystalSystem, order: int, entries: str) -> list[SpaceGroup]:
    parsed = [item.split(":") for item in entries.split(",")]
    return [SpaceGroup(int(number), symbol.strip(), system, order) for number, symbol in parsed]


_S = CrystalSystem
SOHNCKE_GROUPS: tuple[SpaceGroup, ...] = (
        *_groups(_S.TRICLINIC, 1, "1:P 1"),
        *_groups(_S.MONOCLINIC, 2, "3:P 2,4:P 21,5:C 2"),
        *_groups(
            _S.ORTHORHOMBIC, 4,
            "16:P 2 2 2,17:P 2 2 21,18:P 21 21 2,19:P 21 21 21,20:C 2 2 21,21:C 2 2 2,"
            "22:F 2 2 2,23:I 2 2 2,24:I 21 21 21",
        ),
        *_groups(_S.TETRAGONAL, 4, "75:P 4,76:P 41,77:P 42,78:P 43,79:I 4,80:I 41"),
        *_groups(
            _S.TETRAGONAL, 8,
            "89:P 4 2 2,90:P 4 21 2,91:P 41 2 2,92:P 41 21 2,93:P 42 2 2,94:P 42 21 2,"
            "95:P 43 2 2,96:P 43 21 2,97:I 4 2 2,98:I 41 2 2",
        ),
        *_groups(_S.TRIGONAL, 3, "143:P 3,144:P 31,145:P 32,146:R 3"),
        *_groups(
            _S.TRIGONAL, 6,
            "149:P 3 1 2,150:P 3 2 1,151:P 31 1 2,152:P 31 2 1,153:P 32 1 2,154:P 32 2 1,155:R 3 2",
        ),
        *_groups(_S.HEXAGONAL, 6, "168:P 6,169:P 61,170:P 65,171:P 62,172:P 64,173:P 63"),
        *_groups(
            _S.HEXAGONAL, 12, "177:P 6 2 2,178:P 61 2 2,179:P 65 2 2,180:P 62 2 2,181:P 64 2 2,182:P 63 2 2"
        ),
        *_groups(_S.CUBIC, 12, "195:P 2 3,196:F 2 3,197:I 2 3,198:P 21 3,199:I 21 3"),
        *_groups(
            _S.CUBIC, 24,
            "207:P 4 3 2,208:P 42 3 2,209:F 4 3 2,210:F 41 3 2,211:I 4 3 2,212:P 43 3 2,"
            "213:P 41 3 2,214:I 41 3 2",
        ),
)  # fmt: skip

_BY_NAME: dict[str, SpaceGroup] = {
    **{group.short_name: group for group in SOHNCKE_GROUPS},
    **{group.symbol: group for group in SOHNCKE_GROUPS},
}

# How often protein structures crystallise in each system (roughly the PDB's mix);
# within a system every Sohncke group is equally likely.
SYSTEM_WEIGHTS: dict[CrystalSystem, float] = {
    _S.TRICLINIC: 0.05,
    _S.MONOCLINIC: 0.25,
    _S.ORTHORHOMBIC: 0.35,
    _S.TETRAGONAL: 0.12,
    _S.TRIGONAL: 0.10,
    _S.HEXAGONAL: 0.08,
    _S.CUBIC: 0.05,
}


def space_group(name: str) -> SpaceGroup:
    """A Sohncke group by its short (``P212121``) or blank-separated name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"{name!r} is not one of the 65 Sohncke space groups") from None


@dataclass(frozen=True)
class UnitCell:
    a: float
    b: float
    c: float
    alpha: float
    beta: float
    gamma: float

    @property
    def volume(self) -> float:
        """Cell volume in Å³ (general triclinic formula)."""
        ca, cb, cg = (math.cos(math.radians(x)) for x in (self.alpha, self.beta, self.gamma))
        return self.a * self.b * self.c * math.sqrt(1 - ca**2 - cb**2 - cg**2 + 2 * ca * cb * cg)

    @property
    def longest_edge(self) -> float:
        return max(self.a, self.b, self.c)


def obeys_system(cell: UnitCell, system: CrystalSystem, tolerance: float = 1e-6) -> bool:
    """Whether the cell has the equalities its crystal system demands."""

    def same(x: float, y: float) -> bool:
        return abs(x - y) <= tolerance

    right = [same(angle, 90.0) for angle in (cell.alpha, cell.beta, cell.gamma)]
    if system is CrystalSystem.TRICLINIC:
        return not all(right)
    if system is CrystalSystem.MONOCLINIC:
        return right[0] and right[2] and not right[1]
    if system is CrystalSystem.ORTHORHOMBIC:
        return all(right)
    if system is CrystalSystem.TETRAGONAL:
        return all(right) and same(cell.a, cell.b)
    if system in (CrystalSystem.TRIGONAL, CrystalSystem.HEXAGONAL):
        return right[0] and right[1] and same(cell.gamma, 120.0) and same(cell.a, cell.b)
    return all(right) and same(cell.a, cell.b) and same(cell.c, cell.a)


def constrained_cell(
    system: CrystalSystem, a: float, b: float, c: float, alpha: float, beta: float, gamma: float
) -> UnitCell:
    """Impose the system's equalities on free parameters (rounded as ISPyB shows them)."""
    if system is CrystalSystem.MONOCLINIC:
        alpha, gamma = 90.0, 90.0
    elif system in (CrystalSystem.ORTHORHOMBIC, CrystalSystem.TETRAGONAL, CrystalSystem.CUBIC):
        alpha = beta = gamma = 90.0
    elif system in (CrystalSystem.TRIGONAL, CrystalSystem.HEXAGONAL):
        alpha, beta, gamma = 90.0, 90.0, 120.0
    if system in (CrystalSystem.TETRAGONAL, CrystalSystem.TRIGONAL, CrystalSystem.HEXAGONAL):
        b = a
    if system is CrystalSystem.CUBIC:
        b = c = a
    return UnitCell(*(round(x, 2) for x in (a, b, c, alpha, beta, gamma)))


def random_cell(rng: Random, group: SpaceGroup) -> UnitCell:
    """A plausible protein cell: edges 25-250 Å, the system's angles."""
    system = group.system
    edges = [rng.uniform(30.0, 160.0) for _ in range(3)]
    if system is CrystalSystem.CUBIC:
        edges = [rng.uniform(70.0, 250.0)] * 3
    alpha = beta = gamma = 90.0
    if system is CrystalSystem.TRICLINIC:
        alpha, beta, gamma = (rng.uniform(65.0, 115.0) for _ in range(3))
    elif system is CrystalSystem.MONOCLINIC:
        beta = rng.uniform(92.0, 120.0)
    a, b, c = edges
    return constrained_cell(system, a, b, c, alpha, beta, gamma)


def jittered_cell(
    rng: Random, cell: UnitCell, group: SpaceGroup, spread: float = 0.005
) -> UnitCell:
    """The same crystal form measured again: edges vary by ~0.5 %, the symmetry stays."""

    def vary(x: float) -> float:
        return x * (1 + rng.uniform(-spread, spread))

    angles: tuple[float, ...] = (cell.alpha, cell.beta, cell.gamma)
    if group.system is CrystalSystem.TRICLINIC or group.system is CrystalSystem.MONOCLINIC:
        angles = tuple(
            angle if angle == 90.0 else angle + rng.uniform(-0.3, 0.3) for angle in angles
        )
    return constrained_cell(group.system, vary(cell.a), vary(cell.b), vary(cell.c), *angles)


def random_space_group(rng: Random) -> SpaceGroup:
    systems = list(SYSTEM_WEIGHTS)
    system = rng.choices(systems, weights=[SYSTEM_WEIGHTS[s] for s in systems])[0]
    return rng.choice([group for group in SOHNCKE_GROUPS if group.system is system])


class CrystalProvider(BaseProvider):
    """Faker provider: ``fake.sohncke_space_group()``, ``fake.unit_cell(group)``."""

    def sohncke_space_group(self) -> SpaceGroup:
        return random_space_group(self.generator.random)

    def unit_cell(self, group: SpaceGroup | str | None = None) -> UnitCell:
        chosen = (
            space_group(group) if isinstance(group, str) else group or self.sohncke_space_group()
        )
        return random_cell(self.generator.random, chosen)
