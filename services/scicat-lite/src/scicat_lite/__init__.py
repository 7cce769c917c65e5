"""scicat-lite: a SciCat backend (v5.x) REST API emulator on PostgreSQL."""

__version__ = "0.1.0"
