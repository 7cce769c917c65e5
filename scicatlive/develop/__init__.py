"""Dev mode: run a service of the stack from a checkout, reloaded as it changes.

A service runs from ``PATH`` when a profile says ``services.<name>.source: PATH`` or the
command line says ``--dev NAME=PATH``. How is the service's dev recipe,
``services/<name>/dev.yaml``; it is rendered into the compose file with compose's own
conventions (``develop.watch``, ``build``, bind mounts), so an ejected file keeps working.
"""
