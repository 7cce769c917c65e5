"""The host's apt configuration, read so the base image uses the same mirror.

Nothing here names a mirror: the URIs come from the host's own sources
(one-line ``.list`` files and deb822 ``.sources`` files), or from
``SCICATLIVE_APT_MIRROR`` when the host is not Debian.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from scicatlive.errors import ImageError


@dataclass(frozen=True)
class AptSource:
    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    origin: Path


def read_sources(root: Path = Path("/etc/apt")) -> list[AptSource]:
    sources: list[AptSource] = []
    one_line_files = [root / "sources.list", *sorted((root / "sources.list.d").glob("*.list"))]
    for path in one_line_files:
        if path.is_file():
            sources += _parse_one_line(path)
    for path in sorted((root / "sources.list.d").glob("*.sources")):
        sources += _parse_deb822(path)
    return sources


def _parse_one_line(path: Path) -> list[AptSource]:
    found = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        # skip an options block like [arch=amd64 signed-by=...]
        words = line.split("]", 1)[1].split() if "[" in line else line.split()[1:]
        if len(words) >= 2:
            found.append(AptSource(words[0], (words[1],), tuple(words[2:]), path))
    return found


def _parse_deb822(path: Path) -> list[AptSource]:
    found = []
    for stanza in path.read_text(encoding="utf-8", errors="replace").split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line.startswith("#") or ":" not in line:
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes") == "no":
            continue
        for uri in fields.get("uris", "").split():
            suites = tuple(fields.get("suites", "").split())
            components = tuple(fields.get("components", "").split())
            found.append(AptSource(uri, suites, components, path))
    return found


@dataclass(frozen=True)
class DebianMirror:
    """Where the base image's packages come from, for one Debian suite."""

    suite: str
    archive: str
    extra: tuple[AptSource, ...]  # -updates and -security, when the host has them

    def sources_list(self) -> str:
        lines = [f"deb {self.archive} {self.suite} main"]
        lines += [f"deb {s.uri} {suite} main" for s in self.extra for suite in s.suites]
        return "\n".join(lines) + "\n"


def debian_mirror(suite: str, root: Path = Path("/etc/apt")) -> DebianMirror:
    override = os.environ.get("SCICATLIVE_APT_MIRROR")
    sources = read_sources(root)
    if override:
        return DebianMirror(suite, override.rstrip("/"), ())
    archive = next((s for s in sources if suite in s.suites and "main" in s.components), None)
    if archive is None:
        raise ImageError(
            f"the host's apt sources list no Debian mirror for {suite!r} main",
            hint="set SCICATLIVE_APT_MIRROR to a Debian mirror URL that this machine reaches",
        )
    wanted = (f"{suite}-updates", f"{suite}-security")
    extras = tuple(
        AptSource(s.uri, tuple(x for x in s.suites if x in wanted), ("main",), s.origin)
        for s in sources
        if "main" in s.components and any(x in wanted for x in s.suites)
    )
    return DebianMirror(suite, archive.uri.rstrip("/"), extras)


def acquire_settings(root: Path = Path("/etc/apt")) -> str:
    """The host's ``Acquire::`` settings (proxies, snapshot validity), to reuse in images."""
    files = [root / "apt.conf", *sorted((root / "apt.conf.d").glob("*"))]
    lines = []
    for path in files:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            stripped = line.strip()
            if stripped.startswith("Acquire::") and not stripped.startswith("Acquire::IndexTargets"):
                lines.append(stripped)
    return "\n".join(lines) + ("\n" if lines else "")
