"""The service catalogue: what each service is and how to run it."""

from scicatlive.catalogue.loader import Catalogue, CatalogueEntry, default_catalogue, load_catalogue
from scicatlive.catalogue.model import Role, ServiceDefinition, Variant

__all__ = [
    "Catalogue",
    "CatalogueEntry",
    "Role",
    "ServiceDefinition",
    "Variant",
    "default_catalogue",
    "load_catalogue",
]
