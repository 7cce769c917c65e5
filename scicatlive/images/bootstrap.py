"""Bootstrap the base images with no registry: debootstrap, then ``docker import``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from scicatlive.engine import Engine, docker_errors
from scicatlive.errors import ImageError
from scicatlive.images.apt import acquire_settings, debian_mirror
from scicatlive.images.bases import debian_image, python_image, suite
from scicatlive.paths import work_dir
from scicatlive.progress import Reporter

_DOCKERFILES = Path(__file__).parent / "dockerfiles"
BASE_LABEL = "io.scicatlive.base"


def image_exists(engine: Engine, reference: str) -> bool:
    with docker_errors(f"looking up image {reference}"):
        return bool(engine.client().image.exists(reference))


def check_bootstrap_possible() -> None:
    if os.geteuid() != 0:
        raise ImageError(
            f"bootstrapping {debian_image()} needs root (debootstrap creates device nodes and chroots)",
            hint="run `sudo scicatlive images build`, or `docker load` a saved image (`scicatlive images load`)",
        )
    if shutil.which("debootstrap") is None:
        raise ImageError(
            f"bootstrapping {debian_image()} needs debootstrap, which is not installed",
            hint="apt-get install debootstrap",
        )


def bootstrap_debian(engine: Engine, reporter: Reporter, *, force: bool = False) -> str:
    """Make ``scicatlive/base:<suite>`` from the host's apt mirror, unless it exists."""
    image = debian_image()
    if not force and image_exists(engine, image):
        return image
    check_bootstrap_possible()
    mirror = debian_mirror(suite())
    work = Path(tempfile.mkdtemp(prefix="rootfs-", dir=work_dir()))
    try:
        rootfs = work / "rootfs"
        reporter.step(f"debootstrap {mirror.suite} from {mirror.archive}")
        _run(["debootstrap", "--variant=minbase", mirror.suite, str(rootfs), mirror.archive], "debootstrap")
        _configure_apt(rootfs, mirror.sources_list(), acquire_settings())
        tarball = work / "rootfs.tar"
        reporter.step(f"docker import {image}")
        _pack(rootfs, tarball)
        with docker_errors(f"importing {image}"):
            engine.client().image.import_(
                tarball, tag=image, changes=[f'LABEL {BASE_LABEL}="debian"', 'CMD ["/bin/bash"]']
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return image


def build_python_base(engine: Engine, reporter: Reporter, *, force: bool = False) -> str:
    image = python_image()
    if not force and image_exists(engine, image):
        return image
    bootstrap_debian(engine, reporter, force=False)
    reporter.step(f"build {image}")
    with tempfile.TemporaryDirectory(dir=work_dir()) as context:
        shutil.copy(_DOCKERFILES / "python.Dockerfile", Path(context) / "Dockerfile")
        with docker_errors(f"building {image}"):
            engine.client().legacy_build(
                context,
                tags=[image],
                build_args={"BASE_IMAGE": debian_image()},
                labels={BASE_LABEL: "python"},
            )
    return image


def ensure_base(engine: Engine, kind: str, reporter: Reporter) -> str:
    if kind == "python":
        return build_python_base(engine, reporter)
    return bootstrap_debian(engine, reporter)


def _configure_apt(rootfs: Path, sources_list: str, acquire: str) -> None:
    (rootfs / "etc/apt/sources.list").write_text(sources_list, encoding="utf-8")
    if acquire:
        (rootfs / "etc/apt/apt.conf.d/90scicatlive-host").write_text(acquire, encoding="utf-8")
    # Images stay small: no docs, no caches of package lists.
    (rootfs / "etc/dpkg/dpkg.cfg.d/90scicatlive-nodoc").write_text(
        "path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n",
        encoding="utf-8",
    )
    shutil.rmtree(rootfs / "var/lib/apt/lists", ignore_errors=True)
    (rootfs / "var/lib/apt/lists/partial").mkdir(parents=True, exist_ok=True)
    shutil.rmtree(rootfs / "var/cache/apt/archives", ignore_errors=True)
    (rootfs / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)


def _pack(rootfs: Path, tarball: Path) -> None:
    # GNU tar keeps owners, modes, device nodes and hard links exactly.
    _run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(tarball), "."], "packing the rootfs")


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ImageError(f"{what} failed (exit {result.returncode}): {' | '.join(tail)}")
