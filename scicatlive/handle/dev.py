"""Dev mode on the handle: services that run from a checkout, and compose watch."""

from __future__ import annotations

from collections.abc import Callable

from scicatlive.handle.base import StackParts
from scicatlive.stack.record import StackPaths


class DevMixin(StackParts):
    def dev_services(self) -> dict[str, str]:
        """Service → the checkout it runs from, for running services in dev mode (``--dev``, ``source:``)."""
        return {} if self.attached else {s.name: s.dev_source for s in self.status() if s.dev_source}

    def require_dev_services(self) -> None:
        from scicatlive.develop.stack import require_dev_services

        require_dev_services(self._dev)

    def watch(self, report: Callable[[str], None]) -> int:
        """Reload dev services as their checkouts change (compose watch), until interrupted."""
        from scicatlive.develop.watch import run_watch

        self.require_dev_services()
        compose_file = StackPaths.for_stack(self.name).compose_file
        return run_watch(self.engine, self.project, compose_file, self.name, self._dev, report)
