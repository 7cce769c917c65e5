"""The MX facility as ISPyB models it: the graph, its natural keys, and the facts about its instruments.

Ground level: it imports nothing else of scicatlive, and generation, mapping,
sync and the checks all build on it.
"""
