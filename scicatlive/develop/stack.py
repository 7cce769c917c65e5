"""Dev mode as the commands use it: switch a stack's services to their checkouts, build, mark."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scicatlive.engine import Engine, default_engine
from scicatlive.errors import ConfigError
from scicatlive.progress import Reporter
from scicatlive.stack.resolve import ResolvedStack

if TYPE_CHECKING:
    from scicatlive.develop.sources import DevSource


def with_dev_mode(stack: ResolvedStack, dev: list[str] | None) -> tuple[ResolvedStack, dict[str, DevSource]]:
    """The stack with its dev services (``--dev`` values and profile ``source`` keys), all checked."""
    if not dev and not any(options.source for options in stack.profile.services.values()):
        return stack, {}  # the common case, without loading the dev-mode machinery
    from scicatlive.develop.render import apply_dev
    from scicatlive.develop.sources import dev_sources, parse_dev_options, with_sources

    sources = dev_sources(stack, parse_dev_options(dev))
    if not sources:
        return stack, {}
    return apply_dev(with_sources(stack, sources), sources), sources


def require_dev_services(sources: dict[str, DevSource]) -> None:
    if not sources:
        raise ConfigError(
            "--watch", "no service runs from a checkout, so there is nothing to watch",
            hint="add --dev NAME=PATH, or `source: PATH` under services.NAME in the profile",
        )


def build_dev(stack: ResolvedStack, sources: dict[str, DevSource], compose_file: Path, reporter: Reporter,
              engine: Engine | None = None) -> None:
    from scicatlive.develop.images import build_dev_images

    build_dev_images(engine or default_engine(), stack, sources, compose_file, reporter)
