"""connect(): the notebooks' login, its fall-backs to the environment and a prompt, its errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from scicatlive.errors import ConfigError, ServiceError
from scicatlive.training import session as session_module
from scicatlive.training import connect


class FakeScicat:
    """Answers login and whoami the way backend-next does; records the calls."""

    def __init__(self, status: int = 201) -> None:
        self.status = status
        self.calls: list[tuple[str, str, Any]] = []

    def post(self, url: str, json: Any = None, **_: Any) -> httpx.Response:
        self.calls.append(("POST", url, json))
        body = {"access_token": "tok", "id": "tok", "user": {"username": json["username"]}}
        return httpx.Response(self.status, json=body if self.status == 201 else {"message": "Unauthorized"})

    def get(self, url: str, headers: dict[str, str], **_: Any) -> httpx.Response:
        self.calls.append(("GET", url, headers))
        return httpx.Response(200, json={"username": "ann", "currentGroups": ["mx1", "mx2"]})


@pytest.fixture
def scicat(monkeypatch: pytest.MonkeyPatch) -> FakeScicat:
    fake = FakeScicat()
    monkeypatch.setattr(session_module.httpx, "post", fake.post)
    monkeypatch.setattr(session_module.httpx, "get", fake.get)
    for name in ("SCICAT_URL", "SCICAT_USERNAME", "SCICAT_PASSWORD", "ISPYB_URL"):
        monkeypatch.delenv(name, raising=False)
    return fake


@pytest.mark.parametrize("url", ["http://scicat:3000", "http://scicat:3000/", "http://scicat:3000/api/v3/", "http://scicat:3000/api/v4"])
def test_any_form_of_the_url_reaches_the_v3_api(scicat: FakeScicat, url: str) -> None:
    session = connect(url, username="ann", password="secret")
    assert scicat.calls[0] == ("POST", "http://scicat:3000/api/v3/auth/login", {"username": "ann", "password": "secret"})
    assert scicat.calls[1][1] == "http://scicat:3000/api/v3/auth/whoami"
    assert scicat.calls[1][2] == {"Authorization": "Bearer tok"}
    assert (session.scicat_url, session.server_url, session.token, session.groups) == (
        "http://scicat:3000/api/v3", "http://scicat:3000", "tok", ("mx1", "mx2"))


def test_the_environment_then_a_prompt_give_the_account(scicat: FakeScicat, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCICAT_URL", "http://scicat:3000/api/v3")
    monkeypatch.setenv("ISPYB_URL", "http://ispyb-mock:8000")
    monkeypatch.setenv("SCICAT_USERNAME", "ann")
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed")
    session = connect()
    assert scicat.calls[0][2] == {"username": "ann", "password": "typed"}
    assert session.ispyb_url == "http://ispyb-mock:8000"
    assert "typed" not in repr(session)


def test_a_wrong_password_says_where_the_right_one_is(scicat: FakeScicat) -> None:
    scicat.status = 401
    with pytest.raises(ServiceError, match="SciCat refused the login of 'ann': wrong username or password") as error:
        connect("http://scicat:3000", username="ann", password="nope")
    assert error.value.hint is not None and "handout" in error.value.hint


def test_no_url_is_a_config_error(scicat: FakeScicat) -> None:
    with pytest.raises(ConfigError, match="SCICAT_URL: no SciCat URL"):
        connect(username="ann", password="x")


def test_an_unreachable_scicat_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(url: str, **_: Any) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    monkeypatch.setattr(session_module.httpx, "post", refuse)
    with pytest.raises(ServiceError, match=r"SciCat at http://nowhere:1/api/v3 does not answer: connection refused"):
        connect("http://nowhere:1", username="ann", password="x")


def test_a_stack_without_ispyb_says_so(scicat: FakeScicat) -> None:
    session = connect("http://scicat:3000", username="ann", password="x")
    with pytest.raises(ConfigError, match="ISPYB_URL: this stack has no ISPyB service"):
        session.ispyb()
