"""Make sure every image a stack needs is on the engine: build, or pull."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from scicatlive.engine import Engine, docker_errors
from scicatlive.errors import EngineError, EngineUnreachable, ImageError
from scicatlive.images.bootstrap import ensure_base, image_exists
from scicatlive.images.context import assemble_context
from scicatlive.images.local import NeedsImage
from scicatlive.images.wheelhouse import wheelhouse_for
from scicatlive.paths import work_dir
from scicatlive.progress import Reporter

IMAGE_LABEL = "io.scicatlive.image"


def ensure_images(
    engine: Engine, services: Iterable[NeedsImage], reporter: Reporter, *, rebuild: bool = False, offline: bool = False
) -> None:
    listed = set() if rebuild else engine.image_tags()  # one call instead of an inspect per image
    for service in services:
        if _short_name(service.image) in listed:
            continue
        if service.build is not None:
            build_service_image(engine, service, reporter, force=rebuild)
        else:
            pull_image(engine, service, reporter, offline=offline)


def build_service_image(engine: Engine, service: NeedsImage, reporter: Reporter, *, force: bool = False) -> str:
    build = service.build
    assert build is not None, f"{service.name} has no local build"
    if not force and image_exists(engine, service.image):
        return service.image
    ensure_base(engine, build.spec.base, reporter)
    reporter.step(f"build {service.image}")
    with tempfile.TemporaryDirectory(prefix=f"{service.name}-", dir=work_dir()) as directory:
        context = Path(directory)
        assemble_context(build.folder, context)
        wheels = context / "wheelhouse"
        wheels.mkdir(exist_ok=True)
        if build.spec.requirements:
            for wheel in wheelhouse_for(build.folder / build.spec.requirements).glob("*.whl"):
                shutil.copy2(wheel, wheels / wheel.name)
        with docker_errors(f"building the {service.name} image"):
            engine.client().legacy_build(
                context,
                file=context / build.spec.dockerfile,
                tags=[service.image, service.image.rsplit(":", 1)[0] + ":latest"],
                build_args={"BASE_IMAGE": build.base_image},
                labels={IMAGE_LABEL: service.name},
            )
    return service.image


def pull_image(engine: Engine, service: NeedsImage, reporter: Reporter, *, offline: bool) -> None:
    if image_exists(engine, service.image):
        return
    if offline:
        raise ImageError(
            f"{service.name} needs {service.image}, which is not here, and --offline forbids pulling",
            hint="`scicatlive images load FILE` on this machine, or drop --offline",
        )
    reporter.step(f"pull {service.image}")
    try:
        with docker_errors(f"pulling {service.image}"):
            engine.client().image.pull(service.image, quiet=True)
    except EngineUnreachable:
        raise
    except EngineError as exc:
        raise ImageError(
            exc.message,
            hint="no registry here? use the lite profile (built locally), or `scicatlive images load`",
        ) from None


def _short_name(reference: str) -> str:
    """A reference as ``docker images`` lists it (``postgres:16``, not ``docker.io/library/postgres:16``).
    A reference this misses (a digest, say) is looked up one by one, as before."""
    for prefix in ("docker.io/library/", "docker.io/"):
        if reference.startswith(prefix):
            reference = reference[len(prefix):]
            break
    return reference if ":" in reference.rsplit("/", 1)[-1] else f"{reference}:latest"
