"""``/api/Techniques``: the techniques published datasets name."""

from ..resource import collection_router

router = collection_router("Technique", "Techniques")
