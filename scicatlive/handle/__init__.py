"""``scicatlive.Stack``: one handle on a stack, resolved once, for the whole pipeline.

:mod:`.stack` builds and runs it; :mod:`.data` seeds, syncs, checks and snapshots it;
:mod:`.dev` runs services from checkouts. See docs/python-api.md.
"""

from scicatlive.handle.stack import Stack, StackUp

__all__ = ["Stack", "StackUp"]
