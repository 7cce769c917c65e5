"""``/api/Documents``: SciCat's registered published data and the proposals of public data."""

from ..resource import collection_router

router = collection_router("Document", "Documents")
