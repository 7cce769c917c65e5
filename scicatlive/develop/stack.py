"""Dev mode as the commands use it: switch a stack's services to their checkouts, build, mark."""

from __future__ import annotations

from pathlib import Path

from scicatlive.develop.images import build_dev_images
from scicatlive.develop.render import apply_dev
from scicatlive.develop.sources import DevSource, dev_sources, parse_dev_options, with_sources
from scicatlive.engine import Engine, default_engine
from scicatlive.errors import ConfigError
from scicatlive.progress import Reporter
from scicatlive.stack.resolve import ResolvedStack


def with_dev_mode(stack: ResolvedStack, dev: list[str] | None) -> tuple[ResolvedStack, dict[str, DevSource]]:
    """The stack with its dev services (``--dev`` values and profile ``source`` keys), all checked."""
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
    build_dev_images(engine or default_engine(), stack, sources, compose_file, reporter)
