"""``/api/Samples``: the published samples of published datasets."""

from ..resource import collection_router

router = collection_router("Sample", "Samples")
