"""Snapshots of a stack's data: save, restore (atomic), list, remove; and the seed cache built on them.

``scicatlive snapshot save NAME`` keeps every data service of a running stack in its own
dump format with a manifest; ``restore NAME`` brings it back into a stack of the same
profile and images, e.g. to reset a training room to the morning's state. ``seed`` on an
empty stack restores a cached snapshot of the same recipe instead of seeding through the
APIs, and saves one after seeding when there was none (see :mod:`.cache`).
"""

from scicatlive.snapshots.store import Manifest, check_name, list_manifests, read_manifest, remove

__all__ = ["Manifest", "check_name", "list_manifests", "read_manifest", "remove"]
