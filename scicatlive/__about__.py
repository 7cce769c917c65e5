"""The version, in one place: hatch reads it for the wheel, the package imports it (no metadata lookup)."""

__version__ = "0.1.0"
