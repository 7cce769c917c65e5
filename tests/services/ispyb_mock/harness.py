"""Servers of the ISPyB mock's own tests: a private MariaDB server that a test may stop
and start (the shared test server must never be stopped), and a stand-in OpenID
Connect provider. Serving apps and scratch databases come from tests/support."""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import IN_CI, free_port


@dataclass
class PrivateMariaDB:
    """A mariadbd of our own (no grant tables) on a private port and data directory."""

    datadir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/ispyb"

    @classmethod
    def install(cls, root: Path) -> PrivateMariaDB:
        installer = shutil.which("mariadb-install-db")
        if installer is None or shutil.which("mariadbd", path="/usr/sbin:/usr/bin") is None:
            message = "mariadb-server is not installed (needed to stop and start a database)"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        datadir = root / "data"
        subprocess.run(
            [installer, "--no-defaults", f"--datadir={datadir}", "--user=root",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            check=True, capture_output=True,
        )  # fmt: skip
        return cls(datadir=datadir, port=free_port())

    def start(self) -> None:
        mariadbd = shutil.which("mariadbd", path="/usr/sbin:/usr/bin")
        assert mariadbd is not None
        self.process = subprocess.Popen(
            [mariadbd, "--no-defaults", f"--datadir={self.datadir}", "--user=root",
             "--bind-address=127.0.0.1", f"--port={self.port}",
             f"--socket={self.datadir / 'mysqld.sock'}", f"--pid-file={self.datadir / 'pid'}",
             "--skip-grant-tables", "--skip-log-bin", "--innodb-buffer-pool-size=32M"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._wait_until_serving()

    def _wait_until_serving(self) -> None:
        import pymysql

        deadline = time.monotonic() + 60
        while True:
            try:
                pymysql.connect(host="127.0.0.1", port=self.port, user="root").close()
                return
            except pymysql.err.OperationalError:
                assert self.process is not None and self.process.poll() is None, "mariadbd died"
                if time.monotonic() > deadline:
                    raise RuntimeError("the private mariadbd did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.process = None


@pytest.fixture(scope="module")
def private_mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateMariaDB]:
    """A started private MariaDB with an empty ``ispyb`` database, stopped at the end."""
    import pymysql

    server = PrivateMariaDB.install(tmp_path_factory.mktemp("mariadb"))
    server.start()
    try:
        with pymysql.connect(host="127.0.0.1", port=server.port, user="root") as connection:
            connection.cursor().execute("CREATE DATABASE ispyb CHARACTER SET utf8mb4")
        yield server
    finally:
        server.stop()


class OidcProvider:
    """A stand-in OpenID provider: discovery document, JWKS, RS256 access tokens signed
    with a key generated for the test (as Keycloak issues them), and a userinfo endpoint
    for opaque ``opaque-<login>`` tokens (as LemonLDAP::NG issues them). The issuer may
    be a public name other than the URL the service reaches it by."""

    def __init__(self, public_issuer: str | None = None) -> None:
        import json
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa

        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/realms/scicatlive"
        self.issuer = public_issuer or self.url
        userinfo = "/realms/scicatlive/protocol/openid-connect/userinfo"
        documents = {
            "/realms/scicatlive/.well-known/openid-configuration": {
                "issuer": self.issuer,
                "jwks_uri": f"{self.url}/protocol/openid-connect/certs",
                "userinfo_endpoint": f"http://127.0.0.1:{port}{userinfo}",
            },
            "/realms/scicatlive/protocol/openid-connect/certs": {
                "keys": [public | {"kid": "test-key", "use": "sig", "alg": "RS256"}]
            },
        }

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                body = documents.get(self.path)
                if self.path == userinfo:
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    login = token.removeprefix("opaque-") if token.startswith("opaque-") else None
                    body = {"sub": login, "preferred_username": login} if login else None
                    self.send_response(200 if body else 401)
                else:
                    self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(body or {}).encode())

            def log_message(self, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def token(
        self,
        username: str,
        *,
        audience: str = "ispyb",
        lifetime: int = 300,
        issuer: str | None = None,
        groups: tuple[str, ...] = (),
    ) -> str:
        import jwt

        now = int(time.time())
        claims = {
            "iss": issuer or self.issuer,
            "aud": "account",
            "azp": audience,
            "preferred_username": username,
            "groups": list(groups),
            "iat": now,
            "exp": now + lifetime,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "test-key"})

    def close(self) -> None:
        self._server.shutdown()
