"""Health asked from the host: the endpoint a healthcheck declares, its label, and its verdict."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from scicatlive.catalogue.loader import load_entry
from scicatlive.engine import ContainerState, Engine, _container_state
from scicatlive.errors import ConfigError
from scicatlive.runtime.host_probe import (
    HEALTH_ENDPOINT_LABEL,
    confirmed,
    host_url,
    wait_for_endpoints,
)
from tests.support.servers import serve_app
from tests.unit.helpers import write_stack_files

LOCAL = Engine()


class HealthApp:
    """An ASGI app whose ``/health`` answers ``status``, which a test changes."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.asked = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.asked += 1
        status = self.status if scope["path"] == "/health" else 404
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def app() -> HealthApp:
    return HealthApp(503)


@pytest.fixture
def served(app: HealthApp) -> Iterator[int]:
    with serve_app(app) as url:
        yield int(url.rsplit(":", 1)[1])


def _container(port: int, *, health: str = "starting", label: str | None = "3000/health", address: str = "127.0.0.1",
               state: str = "running") -> ContainerState:  # fmt: skip
    return ContainerState(
        name="scicatlive-t-scicat-lite-1", service="scicat-lite", state=state, health=health, image="i",
        host_ports=(port,), restart_count=0, labels={HEALTH_ENDPOINT_LABEL: label} if label else {},
        published={3000: (address, port)},
    )  # fmt: skip


def test_inspect_keeps_each_published_port_with_its_address() -> None:
    inspected = {
        "Name": "/c", "Config": {"Labels": {}}, "State": {"Status": "running"},
        "NetworkSettings": {"Ports": {"3000/tcp": [{"HostIp": "0.0.0.0", "HostPort": "13000"}, {"HostIp": "::", "HostPort": "13000"}],
                                      "9/tcp": None, "8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}]}},
    }  # fmt: skip
    assert _container_state(inspected).published == {3000: ("0.0.0.0", 13000), 8080: ("127.0.0.1", 18080)}


def test_the_endpoint_is_reached_through_its_published_port() -> None:
    assert host_url(_container(13000)) == "http://127.0.0.1:13000/health"
    assert host_url(_container(13000, address="0.0.0.0")) == "http://127.0.0.1:13000/health"
    assert host_url(_container(13000, address="10.1.2.3")) == "http://10.1.2.3:13000/health"
    assert host_url(_container(13000, label=None)) is None
    assert host_url(_container(13000, label="8080/health")) is None  # that port is not published


def test_a_starting_service_is_healthy_once_its_endpoint_answers_2xx(app: HealthApp, served: int) -> None:
    [still] = confirmed([_container(served)], LOCAL)
    assert still.health == "starting" and app.asked == 1  # 503
    app.status = 204
    [ready] = confirmed([_container(served)], LOCAL)
    assert ready.health == "healthy"


def test_docker_verdict_stands_once_it_has_probed(app: HealthApp, served: int) -> None:
    app.status = 200
    containers = [_container(served, health="unhealthy"), _container(served, health="healthy"),
                  _container(served, state="exited")]  # fmt: skip
    assert [c.health for c in confirmed(containers, LOCAL)] == ["unhealthy", "healthy", "starting"]
    assert app.asked == 0


def test_a_remote_engine_is_not_asked_through_this_machine(app: HealthApp, served: int) -> None:
    app.status = 200
    [container] = confirmed([_container(served)], Engine(host="tcp://10.0.0.7:2375"))
    assert container.health == "starting" and app.asked == 0


def test_an_endpoint_that_is_not_there_leaves_the_service_starting() -> None:
    with serve_app(HealthApp(200)) as url:
        port = int(url.rsplit(":", 1)[1])
    [container] = confirmed([_container(port)], LOCAL)  # the server has stopped: refused
    assert container.health == "starting"


def test_the_wait_ends_when_the_endpoints_answer(app: HealthApp, served: int) -> None:
    app.status = 200
    started = time.monotonic()
    wait_for_endpoints(LOCAL, [_container(served)], ["scicat-lite"], 30.0)
    assert time.monotonic() - started < 15.0  # not the 30 s: it returned at the answer
    assert app.asked == 1


def test_the_wait_lasts_while_the_endpoints_refuse(app: HealthApp, served: int) -> None:
    started = time.monotonic()
    wait_for_endpoints(LOCAL, [_container(served)], ["scicat-lite"], 0.5)
    assert time.monotonic() - started >= 0.5
    assert app.asked >= 2  # asked again and again meanwhile


def test_a_service_not_asked_from_here_is_waited_for_by_docker(app: HealthApp, served: int) -> None:
    app.status = 200
    started = time.monotonic()
    upstream = replace(_container(served, label=None), service="backend")
    wait_for_endpoints(LOCAL, [_container(served), upstream], ["scicat-lite", "backend"], 0.5)
    assert time.monotonic() - started >= 0.5 and app.asked == 0


def _entry(tmp_path: Path, healthcheck: str) -> Path:
    folder = tmp_path / "svc"
    folder.mkdir()
    (folder / "service.yaml").write_text(f"""
name: svc
role: other
description: a test service
default_variant: upstream
variants: {{upstream: {{image: "example/svc:1"}}}}
ports: [{{container: 3000, host: 3000}}]
healthcheck: {healthcheck}
""")
    return folder


def test_an_http_healthcheck_is_run_by_docker_with_curl(tmp_path: Path) -> None:
    entry = load_entry(_entry(tmp_path, "{http: {port: 3000, path: /health}, timeout: 2s}"))
    assert entry.definition.healthcheck is not None
    assert entry.definition.healthcheck.command == [
        "CMD", "curl", "-fsS", "-o", "/dev/null", "--max-time", "2", "http://127.0.0.1:3000/health"]


@pytest.mark.parametrize(("healthcheck", "message"), [
    ("{test: [CMD, 'true'], http: {port: 3000, path: /health}}", r"healthcheck: .*either `test` .* or `http`"),
    ("{interval: 5s}", r"healthcheck: .*either `test` .* or `http`"),
    ("{http: {port: 8080, path: /health}}", r"healthcheck.http.port 8080 is not one of the service's ports \(3000\)"),
    ("{http: {port: 3000, path: health}}", r"healthcheck.http.path"),
])  # fmt: skip
def test_a_bad_http_healthcheck_is_one_message_naming_the_key(tmp_path: Path, healthcheck: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        load_entry(_entry(tmp_path, healthcheck))
    assert "service.yaml" in str(caught.value)


def test_lite_apps_are_asked_from_the_host_and_their_dependents_start_beside_them() -> None:
    compose = yaml.safe_load(write_stack_files("lite").compose_file.read_text())["services"]
    backend = compose["scicat-lite"]
    assert backend["labels"][HEALTH_ENDPOINT_LABEL] == "3000/api/v3/health"
    assert backend["healthcheck"]["test"][-1] == "http://127.0.0.1:3000/api/v3/health"
    assert compose["ispyb-mock"]["labels"][HEALTH_ENDPOINT_LABEL] == "8000/ispyb/api/v1/health"
    assert compose["frontend-lite"]["depends_on"] == {"scicat-lite": {"condition": "service_started"}}


def test_upstream_services_keep_waiting_for_dockers_probe() -> None:
    compose = yaml.safe_load(write_stack_files("full").compose_file.read_text())["services"]
    assert compose["frontend"]["depends_on"] == {"backend": {"condition": "service_healthy"}}
    assert HEALTH_ENDPOINT_LABEL not in compose["backend"]["labels"]
