"""scicatlive: a SciCat + ISPyB catalogue on your laptop, in CI or in a training room."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scicatlive")
except PackageNotFoundError:  # running from a checkout without installation
    __version__ = "0.0.0"

__all__ = ["__version__"]
