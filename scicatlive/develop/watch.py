"""`scicatlive up --watch`: compose's own watch, plus the one step only the host can do.

`docker compose watch` restarts and rebuilds services as their ``develop.watch`` rules say.
A rebuild of one of our services needs wheels, which only the host's pip can fetch, so
while compose watches, this process re-stages a service's build context whenever a file of
its recipe's ``rebuild_on`` changes in the checkout; compose's rebuild rule, which watches
the staged copy, then fires on a complete context.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

from scicatlive.develop.images import stage
from scicatlive.develop.sources import DevSource
from scicatlive.engine import Engine, docker_config_dir
from scicatlive.errors import ScicatliveError, StackError

POLL_SECONDS = 1.0


def _fingerprint(source: DevSource) -> dict[str, float]:
    return {
        name: (source.path / name).stat().st_mtime if (source.path / name).exists() else -1.0
        for name in source.recipe.rebuild_on
    }


class Restager:
    """Polls the checkouts' rebuild files (a few stat calls a second) and re-stages on change."""

    def __init__(self, stack: str, sources: dict[str, DevSource], report: Callable[[str], None]) -> None:
        self.stack = stack
        self.sources = {n: s for n, s in sources.items() if s.recipe.kind == "mount" and s.recipe.rebuild_on}
        self.report = report
        self._stop = threading.Event()
        self._seen = {name: _fingerprint(source) for name, source in self.sources.items()}
        self._thread = threading.Thread(target=self._run, name="dev-restage", daemon=True)

    def start(self) -> None:
        if self.sources:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def poll_once(self) -> list[str]:
        """Re-stage every service whose rebuild files changed; returns their names."""
        changed = []
        for name, source in self.sources.items():
            now = _fingerprint(source)
            if now == self._seen[name]:
                continue
            self._seen[name] = now
            try:
                stage(self.stack, source)
            except ScicatliveError as error:
                self.report(f"{name}: not rebuilt: {error.message}")
                continue
            self.report(f"{name}: dependencies changed, its image is rebuilt")
            changed.append(name)
        return changed

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.poll_once()


def watch_command(engine: Engine, project: str, compose_file: Path) -> list[str]:
    """The `docker compose watch` command line for a running stack."""
    command = ["docker", "--config", str(docker_config_dir())]
    if engine.host:
        command += ["--host", engine.host]
    return command + ["compose", "--project-name", project, "--file", str(compose_file), "watch"]


def run_watch(
    engine: Engine, project: str, compose_file: Path, stack: str, sources: dict[str, DevSource],
    report: Callable[[str], None],
) -> int:
    """Watch until interrupted; the stack keeps running afterwards. Returns compose's exit code."""
    restager = Restager(stack, sources, report)
    restager.start()
    report("watching the dev services' checkouts; Ctrl+C stops watching (the stack keeps running)")
    try:
        process = subprocess.Popen(watch_command(engine, project, compose_file), env={**os.environ})
    except FileNotFoundError:
        restager.stop()
        raise StackError("the docker command-line client is not installed, so nothing can watch") from None
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a terminated scicatlive leaves no watcher behind
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        restager.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
