"""ISPyB's domain rules, as pure functions that raise :class:`RuleViolation`.

Every function takes plain values so that the rules are testable without a
database; the write paths call them before anything is flushed.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import RuleViolation

# Samples per container type (Java ISPyB UNIPUCK_SAMPLE_CAPACITY / SPINE_SAMPLE_CAPACITY).
FIXED_CAPACITY: dict[str, int] = {"Unipuck": 16, "Spinepuck": 10}
CONTAINER_TYPES: tuple[str, ...] = ("Unipuck", "Spinepuck", "Cane", "Other")

# Puck slots in the robot dewar of each sample changer model.
SAMPLE_CHANGER_SLOTS: dict[str, int] = {
    "ISARA": 29,  # MAX IV BioMAX
    "FlexHCD": 24,  # ESRF: 8 cells x 3 pucks
    "P11SC": 23,  # DESY P11
    "CATS": 9,  # 3 lids x 3 pucks (BESSY, ALBA)
    "SC3": 5,  # legacy ESRF changer
}
BEAMLINE_SAMPLE_CHANGER: dict[str, str] = {
    "BioMAX": "ISARA",
    "ID23-1": "FlexHCD",
    "ID23-2": "FlexHCD",
    "ID29": "FlexHCD",
    "ID30A-1": "FlexHCD",
    "ID30A-2": "FlexHCD",
    "ID30A-3": "FlexHCD",
    "ID30B": "FlexHCD",
    "BM30A": "FlexHCD",
    "P11": "P11SC",
    "XALOC": "CATS",
    "BL14.1": "CATS",
}

SCALING_SHELLS: tuple[str, ...] = ("overall", "innerShell", "outerShell")

# ISPyB's enums (DataCollectionGroup.experimentType, RobotAction.actionType and .status).
EXPERIMENT_TYPES: tuple[str, ...] = (
    "EM", "SAD", "SAD - Inverse Beam", "OSC", "Collect - Multiwedge", "MAD", "Helical",
    "Multi-positional", "Mesh", "Burn", "MAD - Inverse Beam", "Characterization",
    "Dehydration", "Still", "SSX-Chip", "SSX-Jet",
)  # fmt: skip
ROBOT_ACTIONS: tuple[str, ...] = ("LOAD", "UNLOAD", "DISPOSE", "STORE", "WASH", "ANNEAL")
ROBOT_STATUSES: tuple[str, ...] = ("SUCCESS", "ERROR", "CRITICAL", "WARNING", "COMMANDNOTSENT")


def shipping_statuses(site: str) -> tuple[str, ...]:
    """Java ISPyB's shipping status list, for this facility."""
    return (
        "opened",
        "ready to go",
        f"sent to {site}",
        f"at {site}",
        "processing",
        "sent to User",
        "closed",
    )


def dewar_statuses(site: str) -> tuple[str, ...]:
    """Java ISPyB's dewar status list, for this facility."""
    return (
        "opened",
        "ready to go",
        f"sent to {site}",
        f"at {site}",
        "processing",
        "unprocessing",
        "sent to User",
    )


def check_status(value: str | None, allowed: Iterable[str], field: str) -> None:
    allowed = tuple(allowed)
    if value is not None and value not in allowed:
        raise RuleViolation(f"{field} {value!r} is not one of {', '.join(allowed)}", field)


def container_capacity(container_type: str, requested: int | None) -> int:
    """The capacity a container of this type has; pucks have a fixed one."""
    if container_type not in CONTAINER_TYPES:
        raise RuleViolation(
            f"containerType {container_type!r} is not one of {', '.join(CONTAINER_TYPES)}",
            "containerType",
        )
    fixed = FIXED_CAPACITY.get(container_type)
    if fixed is not None:
        if requested not in (None, fixed):
            raise RuleViolation(
                f"a {container_type} holds {fixed} samples, not {requested}", "capacity"
            )
        return fixed
    if requested is None or requested < 1:
        raise RuleViolation(f"a {container_type} needs a capacity of at least 1", "capacity")
    return requested


def check_sample_location(location: int, capacity: int, field: str = "location") -> None:
    if not 1 <= location <= capacity:
        raise RuleViolation(
            f"{field} {location} is outside the container's positions 1-{capacity}", field
        )


def check_fits(occupied_locations: Iterable[int], capacity: int) -> None:
    """The samples already in a container still fit after its type or capacity changes."""
    beyond = sorted(location for location in occupied_locations if location > capacity)
    if beyond:
        raise RuleViolation(
            f"the container holds samples at positions {beyond} beyond its capacity {capacity}",
            "capacity",
        )


def sample_changer_for(beamline: str | None, default: str) -> str:
    return BEAMLINE_SAMPLE_CHANGER.get(beamline or "", default)


def check_sample_changer_location(location: str | None, sample_changer: str) -> None:
    """A puck slot is a number between 1 and the changer's number of slots ("" = not loaded)."""
    if location is None or location == "":
        return
    slots = SAMPLE_CHANGER_SLOTS[sample_changer]
    if not location.isdigit() or not 1 <= int(location) <= slots:
        raise RuleViolation(
            f"sampleChangerLocation {location!r} is not a slot of the {sample_changer} "
            f"sample changer (1-{slots})",
            "sampleChangerLocation",
        )


def check_unique(values: Iterable[tuple[str, object]], what: str) -> None:
    """No two items of one request share a natural key; ``values`` is (field path, key)."""
    seen: dict[object, str] = {}
    for path, key in values:
        if key is None:
            continue
        if key in seen:
            raise RuleViolation(f"{what} {key!r} appears twice ({seen[key]} and {path})", path)
        seen[key] = path


def check_scaling_shells(shells: Iterable[str], field: str = "AutoProcScalingStatistics") -> None:
    """Scaling statistics come as the three shells overall, innerShell and outerShell."""
    shells = list(shells)
    if sorted(shells) != sorted(SCALING_SHELLS):
        raise RuleViolation(
            f"scaling statistics need exactly one of each shell {', '.join(SCALING_SHELLS)}, "
            f"got {shells}",
            field,
        )
