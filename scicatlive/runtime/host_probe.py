"""A service's health read from this machine, through its published port, until Docker has probed it.

Docker 20.10 probes a container for the first time one ``interval`` after its start, and every
probe is a ``docker exec`` (about 90 ms of CPU across dockerd, containerd, the shim and runc).
The applications' healthchecks declare their endpoint (``healthcheck.http``), so Docker can
probe them rarely while ``up``, restores and ``status`` ask the endpoint themselves for as long
as Docker says ``starting``. Once Docker has probed, its verdict stands: ``unhealthy`` is never
overruled from here.

The rendered container carries the endpoint in a label (container port and path), so everything
that inspects containers can ask it without the profile.
"""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import urlsplit

from scicatlive.engine import ContainerState, Engine

HEALTH_ENDPOINT_LABEL = "io.scicatlive.health-endpoint"
# An endpoint that does not answer within this long counts as not ready for this poll.
PROBE_TIMEOUT_SECONDS = 1.0
# How often the endpoints are asked while only they are awaited: an answer costs the starting
# service far less than a read of the containers (two runs of the Docker CLI).
ENDPOINT_POLL_SECONDS = 0.2
_ANY_ADDRESS = {"", "0.0.0.0", "::"}


def endpoint_label(port: int, path: str) -> str:
    return f"{port}{path}"


def confirmed(containers: list[ContainerState], engine: Engine) -> list[ContainerState]:
    """``containers``, with ``healthy`` where Docker still says ``starting`` and the endpoint answers 2xx."""
    if not engine_is_local(engine):
        return containers
    return [_confirmed(container) for container in containers]


def engine_is_local(engine: Engine) -> bool:
    """Published ports are on this machine only when the engine is (a Unix socket)."""
    host = engine.host or os.environ.get("DOCKER_HOST") or ""
    return not host or urlsplit(host).scheme in ("unix", "npipe")


def _confirmed(container: ContainerState) -> ContainerState:
    if container.state != "running" or container.health != "starting":
        return container
    url = host_url(container)
    if url is None or not answers(url):
        return container
    return replace(container, health="healthy")


def host_url(container: ContainerState) -> str | None:
    """The container's health endpoint as this machine reaches it, if it declares one and publishes its port."""
    label = container.labels.get(HEALTH_ENDPOINT_LABEL)
    if not label:
        return None
    port, slash, path = label.partition("/")
    binding = container.published.get(int(port)) if port.isdigit() else None
    if binding is None:
        return None
    address, host_port = binding
    host = "127.0.0.1" if address in _ANY_ADDRESS else address
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{host_port}{slash}{path}"


def answers(url: str) -> bool:
    """One GET: True on a 2xx answer, False on anything else (refused, timed out, 4xx, 5xx)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=PROBE_TIMEOUT_SECONDS)
    try:
        connection.request("GET", parts.path or "/", headers={"Connection": "close"})
        return 200 <= connection.getresponse().status < 300
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def wait_for_endpoints(engine: Engine, containers: list[ContainerState], services: Iterable[str], seconds: float) -> None:
    """Wait up to ``seconds`` before the containers are read again; less once every service of
    ``services`` that is not ready yet is starting, asked from here, and answers."""
    deadline = time.monotonic() + seconds
    by_service = {container.service: container for container in containers}
    unready = [by_service.get(name) for name in services]
    unready = [c for c in unready if c is None or c.state != "running" or c.health not in (None, "healthy")]
    urls = [host_url(c) if c is not None and c.state == "running" and c.health == "starting" else None for c in unready]
    if not engine_is_local(engine) or None in urls:
        time.sleep(seconds)  # something else is awaited: Docker's own verdict
        return
    pending = [url for url in urls if url is not None]
    while pending and time.monotonic() < deadline:
        pending = [url for url in pending if not answers(url)]
        if pending:
            time.sleep(ENDPOINT_POLL_SECONDS)
