"""frontend-lite as a service: settings, start-up exit codes, and failing fast without its backend."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from frontend_lite.app import create_app
from frontend_lite.settings import BUNDLED_VIEWS, Settings, SettingsError

from tests.support import free_port, serve_app

SRC = Path(__file__).resolve().parents[3] / "services" / "frontend-lite" / "src"
SECRET = "s" * 32


def _config(tmp_path: Path, backend: str) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"lbBaseURL": backend}))
    return path


def test_settings_name_the_variable_at_fault() -> None:
    base = {"SESSION_SECRET": SECRET}
    for variable, value in [
        ("PORT", "eighty"),
        ("BACKEND_TIMEOUT", "0"),
        ("BACKEND_CONNECT_TIMEOUT", "-1"),
        ("BACKEND_WAIT_SECONDS", "soon"),
        ("BACKEND_PROBE_INTERVAL", "0"),
        ("SESSION_HTTPS_ONLY", "maybe"),
    ]:
        with pytest.raises(SettingsError, match=f"^{variable}="):
            Settings.from_env(base | {variable: value})
    with pytest.raises(SettingsError) as short:
        Settings.from_env({"SESSION_SECRET": "too-short"})
    assert "too-short" not in str(short.value)
    settings = Settings.from_env(base | {"SESSION_HTTPS_ONLY": "yes", "BACKEND_WAIT_SECONDS": "0"})
    assert settings.https_only and settings.backend_wait_seconds == 0
    assert settings.dataset_views_file == BUNDLED_VIEWS and settings.backend_connect_timeout == 0.5


def _main(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "frontend_lite"],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(SRC), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1 and lines[0].startswith("frontend-lite: "), result.stderr
    return lines[0]


def test_start_up_errors_exit_2_for_configuration_and_1_for_the_backend(tmp_path: Path) -> None:
    config = _config(tmp_path, f"http://127.0.0.1:{free_port()}")
    missing_secret = _main({"SCICAT_CONFIG_FILE": str(config)})
    assert missing_secret.returncode == 2 and "SESSION_SECRET" in _one_line(missing_secret)

    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{")
    broken = _main({"SESSION_SECRET": SECRET, "SCICAT_CONFIG_FILE": str(bad_json)})
    assert broken.returncode == 2 and "bad.json: not JSON" in _one_line(broken)

    views = tmp_path / "views.yaml"
    views.write_text(
        "views:\n  - name: x\n    sections:\n      - type: fields\n        fields:\n          - {label: A}\n"
    )
    bad_views = _main(
        {
            "SESSION_SECRET": SECRET,
            "SCICAT_CONFIG_FILE": str(config),
            "DATASET_VIEWS_FILE": str(views),
        }
    )
    line = _one_line(bad_views)
    assert bad_views.returncode == 2
    assert "views.yaml: views[0].sections[0].fields[0]: give exactly one source" in line

    started = time.monotonic()
    no_backend = _main(
        {"SESSION_SECRET": SECRET, "SCICAT_CONFIG_FILE": str(config), "BACKEND_WAIT_SECONDS": "1"}
    )
    line = _one_line(no_backend)
    assert no_backend.returncode == 1 and "did not answer within 1 s" in line
    assert str(json.loads(config.read_text())["lbBaseURL"]) in line
    assert time.monotonic() - started < 30


def _health_app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/v3/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v3/datasets/{rest:path}")
    def anything(rest: str) -> list[object]:
        return [{"all": [{"totalSets": 0}]}] if rest == "fullfacet" else []

    return app


def _frontend(tmp_path: Path, backend: str, **env: str) -> FastAPI:
    settings = Settings.from_env(
        {"SESSION_SECRET": SECRET, "SCICAT_CONFIG_FILE": str(_config(tmp_path, backend)), **env}
    )
    return create_app(settings)


def _wait_for(check: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)


def test_a_stopped_backend_gives_503_at_once_and_recovery_is_seen(tmp_path: Path) -> None:
    backend_port = free_port()
    app = _frontend(tmp_path, f"http://127.0.0.1:{backend_port}", BACKEND_PROBE_INTERVAL="0.2")
    with serve_app(app) as url, httpx.Client(base_url=url) as http:
        started = time.monotonic()
        page = http.get("/datasets")
        assert page.status_code == 503 and "Backend unreachable" in page.text
        assert time.monotonic() - started < 1.0
        assert http.get("/healthz").status_code == 503
        with serve_app(_health_app(), port=backend_port):
            _wait_for(lambda: http.get("/healthz").status_code == 200, 10)
            assert http.get("/datasets").status_code == 200
        _wait_for(lambda: http.get("/healthz").status_code == 503, 10)


@contextmanager
def _silent_server() -> Iterator[int]:
    """Accepts connections and never answers: a hung backend."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for connection in held:
            connection.close()
        server.close()


def test_a_hung_backend_is_detected_and_pages_stop_waiting_on_it(tmp_path: Path) -> None:
    with _silent_server() as port:
        app = _frontend(tmp_path, f"http://127.0.0.1:{port}", BACKEND_PROBE_INTERVAL="0.2")
        with (
            serve_app(app) as url,
            httpx.Client(base_url=url, timeout=30) as http,
        ):
            _wait_for(lambda: http.get("/healthz").status_code == 503, 15)
            reason = http.get("/healthz").json()["reason"]
            assert "no answer in time" in reason
            started = time.monotonic()
            page = http.get("/datasets")
            assert page.status_code == 503 and "no answer in time" in page.text
            assert time.monotonic() - started < 1.0


def test_the_list_shows_its_rows_before_the_counts_arrive(tmp_path: Path) -> None:
    """A slow fullfacet delays the filters and totals, not the datasets (the page streams)."""
    release = threading.Event()

    async def backend(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/fullquery"):
            return httpx.Response(200, json=[{"pid": "p/1", "datasetName": "first row"}])
        if path.endswith("/fullfacet"):
            while not release.is_set():
                await asyncio.sleep(0.02)
            return httpx.Response(
                200, json=[{"type": [{"_id": "raw", "count": 7}], "all": [{"totalSets": 7}]}]
            )
        return httpx.Response(200, json={"status": "ok"})

    settings = Settings.from_env(
        {
            "SESSION_SECRET": SECRET,
            "SCICAT_CONFIG_FILE": str(_config(tmp_path, "http://backend.test")),
        }
    )
    app = create_app(settings, transport=httpx.MockTransport(backend))
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        with http.stream("GET", "/datasets") as page:
            assert page.status_code == 200
            received, chunks = "", page.iter_text()
            for chunk in chunks:
                received += chunk
                if "</table>" in received:
                    break
            assert 'data-pid="p/1"' in received and 'data-testid="dataset-count"' not in received
            release.set()
            received += "".join(chunks)
        assert 'data-total="7"' in received and received.rstrip().endswith("</html>")
