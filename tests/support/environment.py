"""Where the tests run: CI or not, which servers they may use, free ports, the Docker engine."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from scicatlive.engine import Engine, default_engine
from scicatlive.errors import EngineError

# GitHub Actions, GitLab CI and .ci/run all set CI; a test that needs a server fails there
# instead of skipping, so that CI never passes by skipping.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def required_env(variable: str) -> str:
    """A value the test needs: skip without it locally, fail without it in CI."""
    value = os.environ.get(variable)
    if not value:
        if IN_CI:
            pytest.fail(f"{variable} is not set, but this test must run in CI")
        pytest.skip(f"{variable} is not set")
    return value


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def docker_engine() -> Engine:
    """The engine for Docker tests: skip without one locally, fail without one in CI."""
    engine = default_engine()
    try:
        engine.ensure_reachable()
    except EngineError as exc:
        if IN_CI:
            pytest.fail(f"CI must have a Docker engine: {exc}")
        pytest.skip(f"no Docker engine: {exc}")
    return engine


@contextmanager
def environment(**variables: str) -> Iterator[None]:
    """Set variables in ``os.environ`` for longer than one test (module and session fixtures,
    where ``monkeypatch`` cannot reach), and put the previous values back afterwards."""
    previous = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
