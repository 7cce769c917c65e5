"""Pydantic models of the HTTP boundary, with ISPyB's column names."""
