"""How symmetric a space group is: the order of its point group (centring not counted).

Only the 65 Sohncke groups occur for protein crystals. A symbol is read with or without
blanks (``P 21 21 21``, ``P212121``), in its full monoclinic form (``P 1 21 1``), and in
the hexagonal setting of the rhombohedral groups (``H 3``, ``H 3 2``).
"""

from __future__ import annotations

# Point-group order → the groups (Hermann–Mauguin, blanks removed) of that order.
_BY_ORDER: dict[int, tuple[str, ...]] = {
    1: ("P1",),
    2: ("P2", "P21", "C2", "I2"),
    3: ("P3", "P31", "P32", "R3"),
    4: (
        "P222", "P2221", "P21212", "P212121", "C2221", "C222", "F222", "I222", "I212121",
        "P4", "P41", "P42", "P43", "I4", "I41",
    ),
    6: ("P312", "P321", "P3112", "P3121", "P3212", "P3221", "R32", "P6", "P61", "P65", "P62", "P64", "P63"),
    8: ("P422", "P4212", "P4122", "P41212", "P4222", "P42212", "P4322", "P43212", "I422", "I4122"),
    12: ("P622", "P6122", "P6522", "P6222", "P6422", "P6322", "P23", "F23", "I23", "P213", "I213"),
    24: ("P432", "P4232", "F432", "F4132", "I432", "P4332", "P4132", "I4132"),
}  # fmt: skip
ORDER: dict[str, int] = {name: order for order, names in _BY_ORDER.items() for name in names}


def _compact(symbol: str) -> str:
    parts = symbol.replace("(", " ").replace(")", " ").split()
    if not parts:
        return ""
    lattice, axes = parts[0][0].upper(), parts[0][1:] + "".join(parts[1:])
    if lattice == "H":
        lattice = "R"
    # The full monoclinic symbol "P 1 21 1" names one axis between two 1s.
    if len(parts) == 4 and parts[1] == "1" and parts[3] == "1":
        axes = parts[2]
    return lattice + axes


def point_group_order(symbol: str | None) -> int | None:
    """1 for P1 … 24 for the cubic 432 groups; None for a symbol this table does not know."""
    if not symbol:
        return None
    return ORDER.get(_compact(symbol.strip()))
