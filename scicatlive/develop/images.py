"""Stage and build dev images: a ``mount`` service's from its checkout, a ``checkout`` one's by compose."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from scicatlive.develop.render import staging_dir
from scicatlive.develop.sources import DevSource
from scicatlive.engine import Engine, docker_errors
from scicatlive.images.bases import base_image_for
from scicatlive.images.bootstrap import ensure_base, image_exists
from scicatlive.images.context import context_files
from scicatlive.images.wheelhouse import wheelhouse_for
from scicatlive.progress import Reporter
from scicatlive.stack.files import ensure_private_dir
from scicatlive.stack.resolve import ResolvedStack

STAGE_LABEL = "io.scicatlive.dev.stage"
WHEELHOUSE = "wheelhouse"


def stage(stack: str, source: DevSource) -> Path:
    """Copy the checkout's build files and a filled wheelhouse into the staging folder.

    The files of ``rebuild_on`` are written last, so a compose watch that rebuilds on
    them only ever sees a complete context. Returns the folder.
    """
    definition = source.entry.definition
    spec = definition.variant(definition.local_variant).build
    assert spec is not None, "mount recipes are only accepted for services with a local build"
    folder = staging_dir(stack, source.service)
    ensure_private_dir(folder)
    wheels = folder / WHEELHOUSE
    fresh = folder / f".{WHEELHOUSE}.new"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    if spec.requirements:
        for wheel in wheelhouse_for(source.path / spec.requirements).glob("*.whl"):
            shutil.copy2(wheel, fresh / wheel.name)
    shutil.rmtree(wheels, ignore_errors=True)
    fresh.rename(wheels)
    last = set(source.recipe.rebuild_on)
    files = [p for p in context_files(source.path) if str(p.relative_to(source.path)) not in last]
    files += [source.path / name for name in source.recipe.rebuild_on if (source.path / name).is_file()]
    wanted = {folder / path.relative_to(source.path) for path in files}
    for stale in [p for p in folder.rglob("*") if p.is_file() and WHEELHOUSE not in p.relative_to(folder).parts]:
        if stale not in wanted:
            stale.unlink()
    for path in files:
        target = folder / path.relative_to(source.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return folder


def stage_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_dev_images(
    engine: Engine, stack: ResolvedStack, sources: dict[str, DevSource], compose_file: Path, reporter: Reporter
) -> None:
    """Make each dev service's image: skipped when the staged context has not changed."""
    for name, source in sources.items():
        image = stack.services[name].image
        if source.recipe.kind == "checkout":
            reporter.step(f"build {image} from {source.path}")
            with docker_errors(f"building {name} from {source.path}"):
                engine.client(project=stack.project, compose_file=compose_file).compose.build([name])
            continue
        spec = source.entry.definition.variant(stack.services[name].variant).build
        assert spec is not None
        ensure_base(engine, spec.base, reporter)
        folder = stage(stack.name, source)
        digest = stage_digest(folder)
        if image_exists(engine, image) and _label(engine, image) == digest:
            continue
        reporter.step(f"build {image} from {source.path}")
        with docker_errors(f"building {name} from {source.path}"):
            engine.client().legacy_build(
                folder, file=folder / spec.dockerfile, tags=[image],
                build_args={"BASE_IMAGE": base_image_for(spec.base)}, labels={STAGE_LABEL: digest},
            )


def _label(engine: Engine, image: str) -> str | None:
    with docker_errors(f"inspecting {image}"):
        labels = engine.client().image.inspect(image).config.labels or {}
    return labels.get(STAGE_LABEL)
