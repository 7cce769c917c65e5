"""What the parts of the Stack handle share: the attributes each part relies on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scicatlive.clients.target import Target
    from scicatlive.develop.sources import DevSource
    from scicatlive.engine import Engine
    from scicatlive.progress import Reporter
    from scicatlive.runtime.status import ServiceStatus
    from scicatlive.stack.record import StackRecord
    from scicatlive.stack.resolve import ResolvedStack


class StackParts:
    """The interface the mixins of ``Stack`` use; ``Stack`` implements it."""

    name: str
    reporter: Reporter
    _dev: dict[str, DevSource]

    @property
    def attached(self) -> bool:
        raise NotImplementedError

    @property
    def resolved(self) -> ResolvedStack:
        raise NotImplementedError

    @property
    def target(self) -> Target:
        raise NotImplementedError

    @property
    def engine(self) -> Engine:
        raise NotImplementedError

    @property
    def project(self) -> str:
        raise NotImplementedError

    def record(self) -> StackRecord:
        raise NotImplementedError

    def status(self) -> list[ServiceStatus]:
        raise NotImplementedError

    def _refuse_remote(self, action: str) -> None:
        raise NotImplementedError
