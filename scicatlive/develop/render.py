"""A dev-mode service in the compose file, with compose's own conventions.

``mount`` services keep their image's command. Their checkout's code is bind-mounted
over the image's, and ``develop.watch`` restarts the container when it changes (the files
are already inside, so nothing needs syncing) and rebuilds the image when a file of
``rebuild_on`` changes. The rebuild runs on a build context scicatlive stages in the
stack's state directory, because a build here reaches no PyPI: its wheelhouse is filled
on the host (`scicatlive up --watch` re-stages it when the checkout's file changes).

``checkout`` services are built from the checkout itself at the recipe's stage, mounted
read-write at the app's folder (with its ``keep`` folders left to the container), run by
the app's own watcher, and rebuilt when their package files change.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from scicatlive.develop.recipes import DevRecipe
from scicatlive.develop.sources import DevSource, dev_sources
from scicatlive.images.bases import base_image_for
from scicatlive.stack.record import StackPaths
from scicatlive.stack.resolve import PublishedPort, ResolvedService, ResolvedStack


def staging_dir(stack: str, service: str) -> Path:
    """The build context of a ``mount`` service's dev image."""
    return StackPaths.for_stack(stack).root / "dev" / service


def dev_image(stack: ResolvedStack, source: DevSource, service: ResolvedService) -> str:
    if source.recipe.kind == "mount":
        return f"{service.image.rsplit(':', 1)[0]}:dev-{stack.name}"
    return f"scicatlive/{source.service}-dev:{stack.name}"


def apply_dev(stack: ResolvedStack, sources: dict[str, DevSource]) -> ResolvedStack:
    """The stack with its dev services switched to their dev image, command, ports and files.

    The dev image is built by :func:`scicatlive.develop.images.build_dev_images`, so the
    services lose their regular build here and `up` uses that image as it is.
    """
    services = dict(stack.services)
    for name, source in sources.items():
        service = services[name]
        recipe = source.recipe
        services[name] = dataclasses.replace(
            service,
            upstream_image=dev_image(stack, source, service),
            build=None,
            command=recipe.command or service.command,
            healthcheck=recipe.healthcheck or service.healthcheck,
            ports=_ports(service, recipe, stack),
            files=tuple(
                f.model_copy(update={"target": recipe.files_moved.get(f.target, f.target)}) for f in service.files
            ),
        )
    return dataclasses.replace(stack, services=services)


def _ports(service: ResolvedService, recipe: DevRecipe, stack: ResolvedStack) -> tuple[PublishedPort, ...]:
    """The dev server takes the place of the service's first port, published on its own number."""
    if recipe.port is None or any(p.container == recipe.port for p in service.ports):
        return service.ports
    dev = PublishedPort("dev", recipe.port, recipe.port + stack.settings.port_offset, "http", "/")
    return (dev, *service.ports[1:])


@dataclasses.dataclass(frozen=True)
class DevCompose:
    """What dev mode adds to a service's compose entry."""

    build: dict[str, Any]
    develop: dict[str, Any]
    binds: list[tuple[str, str, bool]]  # (source, target, read_only)
    anonymous_volumes: list[str]
    label: str


def dev_compose(stack: ResolvedStack, service: ResolvedService) -> DevCompose | None:
    """The dev-mode additions for ``service``, or None when it runs its regular image."""
    if not stack.profile.services.get(service.name) or not stack.profile.services[service.name].source:
        return None
    source = dev_sources(stack)[service.name]
    recipe = source.recipe
    if recipe.kind == "mount":
        staged = staging_dir(stack.name, service.name)
        spec = source.entry.definition.variant(service.variant).build
        assert spec is not None, "dev_sources only accepts local builds for mount recipes"
        rules = [{"action": "restart", "path": str(source.path / c.path)} for c in recipe.code]
        rules += [{"action": "rebuild", "path": str(staged / f)} for f in recipe.rebuild_on]
        return DevCompose(
            build={"context": str(staged), "dockerfile": spec.dockerfile, "args": {"BASE_IMAGE": base_image_for(spec.base)}},
            develop={"watch": rules},
            binds=[(str(source.path / c.path), c.target, True) for c in recipe.code],
            anonymous_volumes=[],
            label=str(source.path),
        )
    workdir = recipe.workdir or "/app"
    build: dict[str, Any] = {"context": str(source.path)}
    if recipe.build_target:
        build["target"] = recipe.build_target
    return DevCompose(
        build=build,
        develop={"watch": [{"action": "rebuild", "path": str(source.path / f)} for f in recipe.rebuild_on]},
        binds=[(str(source.path), workdir, False)],
        anonymous_volumes=[f"{workdir}/{folder}" for folder in recipe.keep],
        label=str(source.path),
    )
