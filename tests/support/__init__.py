"""Helpers shared by every test package and by the benchmarks, each written once.

* :mod:`.environment`: CI detection, required servers, free ports, the Docker engine, and
  ``environment`` (variables set for a module or session fixture);
* :mod:`.servers`: ``serve_app`` (an ASGI app in a uvicorn thread);
* :mod:`.databases`: ``scratch_postgres`` / ``scratch_mariadb`` (a fresh database on a
  server: the one CI gives by URL, or a throw-away container of our own images);
* :mod:`.accounts`: the bundled profiles' accounts and ``accounts_file``;
* :mod:`.lite`: scicat-lite and the ISPyB mock served in-process on scratch databases.
"""

from tests.support.accounts import ProfileAccount, accounts_file, ispyb_users_file, profile_accounts
from tests.support.databases import (
    mariadb_server_url,
    postgres_server_url,
    scratch_mariadb,
    scratch_postgres,
)
from tests.support.environment import IN_CI, docker_engine, environment, free_port, required_env
from tests.support.servers import serve_app

__all__ = [
    "IN_CI", "ProfileAccount", "accounts_file", "docker_engine", "environment", "free_port", "ispyb_users_file",
    "mariadb_server_url", "postgres_server_url", "profile_accounts", "required_env", "scratch_mariadb",
    "scratch_postgres", "serve_app",
]  # fmt: skip
