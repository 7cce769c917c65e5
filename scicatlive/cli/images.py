"""`scicatlive images build|save|load`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scicatlive.cli.context import (
    ConsoleReporter,
    OfflineOption,
    ProfileOption,
    err_console,
    local_stack,
)

app = typer.Typer(help="Images without a registry: build here, save, load elsewhere.", no_args_is_help=True)


@app.command("build")
def build(
    profile: ProfileOption = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild even if the images exist (bases included).")] = False,
) -> None:
    """Bootstrap the base images (debootstrap + docker import) and build the stack's local images."""
    from scicatlive.images.bootstrap import bootstrap_debian, build_python_base
    from scicatlive.images.build import build_service_image

    stack = local_stack(profile, None, None, offline=False)
    engine = stack.engine
    engine.ensure_reachable()
    reporter = ConsoleReporter()
    bootstrap_debian(engine, reporter, force=rebuild)
    build_python_base(engine, reporter, force=rebuild)
    for service in stack.resolved.services.values():
        if service.is_local:
            err_console.print(build_service_image(engine, service, reporter, force=rebuild))


@app.command("save")
def save(
    file: Annotated[Path, typer.Argument(help="The tar file to write.")],
    profile: ProfileOption = None,
    offline: OfflineOption = False,
) -> None:
    """Save every image the stack uses (and the bases) into one tar file."""
    from scicatlive.images.transfer import images_of, save_images

    stack = local_stack(profile, None, None, offline=offline)
    saved = save_images(stack.engine, images_of(stack.resolved.services.values()), file)
    err_console.print(f"saved {len(saved)} images to {file}")


@app.command("load")
def load(file: Annotated[Path, typer.Argument(help="A tar file made by `images save`.")]) -> None:
    """Load images saved on another machine."""
    from scicatlive.engine import default_engine
    from scicatlive.images.transfer import load_images

    loaded = load_images(default_engine(), file)
    err_console.print(f"loaded {len(loaded)} images from {file}")
