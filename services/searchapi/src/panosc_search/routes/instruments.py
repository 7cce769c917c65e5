"""``/api/Instruments``: SciCat's instruments, with the stack's facility name."""

from ..resource import collection_router

router = collection_router("Instrument", "Instruments")
