"""Session fixtures every test package may ask for (registered by tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.databases import mariadb_server_url, postgres_server_url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL (CI's, or a throw-away container of our image)."""
    with postgres_server_url() as url:
        yield url


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[str]:
    """A MariaDB server URL (CI's, or a throw-away container of our image)."""
    with mariadb_server_url() as url:
        yield url
