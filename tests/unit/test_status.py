"""What `status` makes of `docker inspect`: state, health, ports, restarts, and dev mode."""

from __future__ import annotations

from typing import Any

from scicatlive.develop.labels import DEV_LABEL
from scicatlive.engine import _container_state
from scicatlive.runtime.status import ServiceStatus


def _inspected(labels: dict[str, str], **state: Any) -> dict[str, Any]:
    return {
        "Name": "/scicatlive-dev-scicat-lite-1",
        "RestartCount": 4,
        "Config": {"Image": "scicatlive/scicat-lite:dev-dev", "Env": ["POSTGRES_DB=scicat", "A=b=c"],
                   "Labels": {"com.docker.compose.service": "scicat-lite", **labels}},
        "State": {"Status": "running", "Health": {"Status": "healthy"}, **state},
        "NetworkSettings": {"Ports": {"3000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "3000"}], "9/tcp": None}},
    }  # fmt: skip


def test_a_service_in_dev_mode_shows_its_checkout() -> None:
    container = _container_state(_inspected({DEV_LABEL: "/home/me/scicat-lite"}))
    status = ServiceStatus.of(container, urls=("http://127.0.0.1:3000",))
    assert (status.name, status.label, status.host_ports, status.dev_source) == (
        "scicat-lite", "healthy", (3000,), "/home/me/scicat-lite")
    assert status.ready and status.failed  # ready now, but restarted often enough to be called crash-looping
    assert container.environment == {"POSTGRES_DB": "scicat", "A": "b=c"}
    assert "POSTGRES_DB" not in repr(container)  # a container's settings may hold secrets


def test_a_service_from_its_image_has_no_dev_source() -> None:
    status = ServiceStatus.of(_container_state(_inspected({}, Status="exited", Health=None)))
    assert status.dev_source is None and status.label == "exited" and status.failed
