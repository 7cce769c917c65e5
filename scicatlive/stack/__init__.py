"""A stack: a profile resolved against the catalogue, with its state on disk."""
