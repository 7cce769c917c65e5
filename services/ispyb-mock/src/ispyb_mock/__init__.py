"""A py-ISPyB look-alike REST service for the sample-tracking and MX data-collection part of ISPyB."""

API_PREFIX = "/ispyb/api/v1"

__all__ = ["API_PREFIX"]
