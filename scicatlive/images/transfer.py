"""Move images to a machine that reaches no registry: ``save`` here, ``load`` there."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from scicatlive.engine import Engine, docker_errors
from scicatlive.errors import ImageError
from scicatlive.images.bases import debian_image, python_image
from scicatlive.images.bootstrap import image_exists
from scicatlive.images.local import NeedsImage


def images_of(services: Iterable[NeedsImage], *, with_bases: bool = True) -> list[str]:
    """The images of these services, and the bases when one of them is built here."""
    services = list(services)
    images = [service.image for service in services]
    if with_bases and any(s.build is not None for s in services):
        images += [debian_image(), python_image()]
    return images


def save_images(engine: Engine, images: list[str], destination: Path) -> list[str]:
    missing = [image for image in images if not image_exists(engine, image)]
    if missing:
        raise ImageError(
            f"cannot save images that are not here: {', '.join(missing)}",
            hint="build or pull them first (`scicatlive images build`)",
        )
    temporary = destination.with_name(f".{destination.name}.partial")
    with docker_errors(f"saving images to {destination}"):
        engine.client().image.save(images, output=temporary)
    temporary.replace(destination)
    return images


def load_images(engine: Engine, source: Path) -> list[str]:
    if not source.is_file():
        raise ImageError(f"{source} does not exist")
    with docker_errors(f"loading images from {source}"):
        return list(engine.client().image.load(source, quiet=True) or [])
