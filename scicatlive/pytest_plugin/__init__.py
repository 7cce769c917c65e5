"""The scicatlive pytest plugin: a SciCat + ISPyB stack as session fixtures (see docs/pytest-plugin.md)."""
