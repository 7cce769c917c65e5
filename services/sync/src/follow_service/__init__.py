"""The stack's follower (feature ``follow``): ``scicatlive.sync.follow`` as a service, with its
state at ``/status`` and its health at ``/health``."""
