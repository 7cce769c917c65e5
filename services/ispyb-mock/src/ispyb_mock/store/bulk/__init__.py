"""``POST /bulk/proposals``: a whole proposal graph in one transaction."""

from .loader import BulkLoader
from .retry import load_proposal

__all__ = ["BulkLoader", "load_proposal"]
