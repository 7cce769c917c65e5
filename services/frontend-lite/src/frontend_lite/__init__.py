"""frontend-lite: SciCat's catalogue screens, rendered on the server from any SciCat backend."""

__version__ = "0.1.0"
