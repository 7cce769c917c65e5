"""The change feed: what changed since a position (a scicatlive extension)."""
