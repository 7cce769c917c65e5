"""Fill a wheelhouse on the host, because a container build reaches no PyPI.

Wheels are chosen for the image's Python and platform, not the host's, so a
laptop on Python 3.13 still builds images whose Debian python3 is 3.11.
A requirement published only as a source distribution is built into a wheel on
the host, when that wheel is pure Python (``py3-none-any``) and so fits any image.
Wheelhouses are cached by the hash of what they are for.
"""

from __future__ import annotations

import hashlib
import platform
import re
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
    built = partial / "built-here"
    built.mkdir(parents=True)
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
        "--only-binary=:all:", "--python-version", python, "--implementation", "cp",
        "--find-links", str(built), "--dest", str(partial), "-r", str(requirements),
    ]
    for tag in platforms:
        command += ["--platform", tag]
    for _ in range(_MAX_SOURCE_BUILDS):
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode == 0:
            break
        missing = _missing_wheel(result.stderr)
        if missing is None or not _build_pure_wheel(missing, built):
            shutil.rmtree(partial, ignore_errors=True)
            raise ImageError(
                f"cannot fill the wheelhouse for {requirements}: {_pip_error(result.stderr)}",
                hint="every requirement needs a wheel, or a source distribution that builds into a "
                "pure-Python wheel, on the package index this machine's pip uses",
            )
    else:
        shutil.rmtree(partial, ignore_errors=True)
        raise ImageError(f"cannot fill the wheelhouse for {requirements}: too many source-only requirements")
    for wheel in built.glob("*.whl"):
        shutil.copy2(wheel, partial / wheel.name)
    shutil.rmtree(built)
    (partial / ".complete").touch()
    shutil.rmtree(destination, ignore_errors=True)
    partial.rename(destination)
    return destination


_MAX_SOURCE_BUILDS = 10
_NO_WHEEL = re.compile(r"Could not find a version that satisfies the requirement (\S+)")


def _missing_wheel(stderr: str) -> str | None:
    found = _NO_WHEEL.search(stderr)
    return found.group(1) if found else None


def _build_pure_wheel(requirement: str, destination: Path) -> bool:
    """Build ``requirement`` from source on the host; keep it only when it is pure Python."""
    before = set(destination.glob("*.whl"))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--wheel-dir", str(destination), requirement],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    new = set(destination.glob("*.whl")) - before
    impure = [wheel for wheel in new if not wheel.name.endswith("-none-any.whl")]
    for wheel in impure:
        wheel.unlink()
    return result.returncode == 0 and bool(new) and not impure


def _pip_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip().startswith("ERROR")]
    return lines[0].removeprefix("ERROR: ") if lines else (stderr.strip().splitlines() or ["pip failed"])[-1]
