"""The live path in-process: scicat-lite and the ISPyB mock on scratch databases, seeded with
``tiny`` once per session, and mxcubecore's virtualenv for the driver (see
tools/mxcube-driver/README.md)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scicatlive.clients.target import Target
from tests.checks.conftest import make_target
from tests.services.ispyb_mock.harness import OidcProvider
from tests.support.accounts import new_passwords, profile_accounts
from tests.support.lite import ispyb_mock, scicat_lite
from tests.support.mxcube import mxcube_python_or_skip

ACCOUNTS = profile_accounts()


@pytest.fixture(scope="session")
def live_passwords() -> dict[str, str]:
    return new_passwords(ACCOUNTS)


@pytest.fixture(scope="session")
def oidc() -> Iterator[OidcProvider]:
    """An OpenID provider for MXCuBE's keycloak login (the mock checks its tokens)."""
    provider = OidcProvider()
    yield provider
    provider.close()


@contextmanager
def seeded_stack(mariadb: str, postgres: str, folder: Path, passwords: dict[str, str], oidc: OidcProvider) -> Iterator[Target]:
    from scicatlive.seeding.run import seed

    with (
        ispyb_mock(mariadb, folder, ACCOUNTS, passwords, OIDC_ISSUER=oidc.url, OIDC_AUDIENCE="ispyb") as ispyb_url,
        scicat_lite(postgres, folder, ACCOUNTS, passwords) as scicat_url,
    ):
        target = make_target(scicat_url, ispyb_url, passwords)
        seed(target, "tiny")
        yield target


@pytest.fixture(scope="session")
def live_target(
    mariadb_server: str, postgres_server: str, tmp_path_factory: pytest.TempPathFactory,
    live_passwords: dict[str, str], oidc: OidcProvider,
) -> Iterator[Target]:
    """scicat-lite and the ISPyB mock in-process, seeded with ``tiny``, shared by the tests that
    leave ISPyB and SciCat consistent."""
    with seeded_stack(mariadb_server, postgres_server, tmp_path_factory.mktemp("live"), live_passwords, oidc) as target:
        yield target


@pytest.fixture
def scratch_target(
    mariadb_server: str, postgres_server: str, tmp_path: Path, live_passwords: dict[str, str], oidc: OidcProvider
) -> Iterator[Target]:
    """A stack of its own, for a test that breaks it."""
    with seeded_stack(mariadb_server, postgres_server, tmp_path, live_passwords, oidc) as target:
        yield target


@pytest.fixture(scope="session")
def mxcube_python() -> Path:
    """mxcubecore's own virtualenv; the tests that drive it skip without it, except in CI."""
    return mxcube_python_or_skip()
