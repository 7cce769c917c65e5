"""A py-ISPyB look-alike: ISPyB sample tracking and MX data collections over REST."""

API_PREFIX = "/ispyb/api/v1"

__all__ = ["API_PREFIX"]
