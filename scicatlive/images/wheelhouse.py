"""Fill a wheelhouse on the host, because a container build reaches no PyPI.

Wheels are chosen for the image's Python and platform, not the host's, so a
laptop on Python 3.13 still builds images whose Debian python3 is 3.11.
Wheelhouses are cached by the hash of what they are for.
"""

from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from scicatlive.errors import ImageError
from scicatlive.images.bases import suite
from scicatlive.paths import cache_dir

# The python3 each Debian suite ships, and the glibc it is built on.
_SUITE_PYTHON = {"bookworm": ("3.11", (2, 36)), "trixie": ("3.13", (2, 41))}
_MACHINES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def target_tags() -> tuple[str, list[str]]:
    """The image's Python version and the manylinux platform tags it accepts."""
    python, (major, minor) = _SUITE_PYTHON.get(suite(), _SUITE_PYTHON["bookworm"])
    machine = _MACHINES.get(platform.machine().lower(), platform.machine().lower())
    platforms = [f"manylinux_{major}_{m}_{machine}" for m in range(minor, 16, -1)]
    platforms += [f"manylinux2014_{machine}", f"linux_{machine}"]
    return python, platforms


def wheelhouse_for(requirements: Path) -> Path:
    """A directory of wheels that satisfies ``requirements``; filled once, then reused."""
    python, platforms = target_tags()
    key = hashlib.sha256(
        requirements.read_bytes() + f"{python}{platforms}".encode()
    ).hexdigest()[:16]
    destination = cache_dir() / "wheelhouse" / key
    if (destination / ".complete").exists():
        return destination
    partial = destination.with_name(f"{key}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--only-binary=:all:", "--python-version", python, "--implementation", "cp",
        "--dest", str(partial), "-r", str(requirements),
    ]
    for tag in platforms:
        command += ["--platform", tag]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        detail = _pip_error(result.stderr)
        raise ImageError(
            f"cannot fill the wheelhouse for {requirements}: {detail}",
            hint="every requirement needs a wheel on the package index this machine's pip uses",
        )
    (partial / ".complete").touch()
    shutil.rmtree(destination, ignore_errors=True)
    partial.rename(destination)
    return destination


def _pip_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip().startswith("ERROR")]
    return lines[0].removeprefix("ERROR: ") if lines else (stderr.strip().splitlines() or ["pip failed"])[-1]
