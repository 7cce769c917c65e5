"""Every operation of the installed scicat-sdk-py is routed by scicat-lite and never answers 5xx.

The operations are read from the SDK itself: each API class's request serialisers name
the HTTP method and the path. Each is called with dummy input (path parameters
``dummy``, an empty JSON body) by an anonymous caller and by an admin. An unrouted
operation answers NestJS's ``404 Cannot <METHOD> <path>``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

import httpx
import pytest
import scicat_sdk_py.api as sdk_api
from lite_harness import LiteServer

pytestmark = pytest.mark.database

Operation = tuple[str, str]
_SERIALISED = re.compile(r"method='(?P<method>[A-Z]+)',\s*resource_path='(?P<path>[^']+)'")

# Operations scicat-lite does not route, each with its reason (at most 11, issue 10).
_NO_EVENTS = (
    "server-sent events exist only on backend-next's unreleased server-sent-event branch; "
    "v5.2.1 (the pinned tag) has no events module and answers 404 Cannot <METHOD> <path>"
)
EXCEPTIONS: dict[Operation, str] = {
    ("GET", "/api/v3/events/connections"): _NO_EVENTS,
    ("POST", "/api/v3/events/ticket"): _NO_EVENTS,
    ("GET", "/api/v3/events/stream"): _NO_EVENTS,
}

def sdk_operations() -> list[Operation]:
    """(method, path template) of every operation the installed SDK can call."""
    found: set[Operation] = set()
    for _, api_class in inspect.getmembers(sdk_api, inspect.isclass):
        for name, function in inspect.getmembers(api_class, inspect.isfunction):
            if name.startswith("_") and name.endswith("_serialize"):
                match = _SERIALISED.search(inspect.getsource(function))
                assert match, f"{api_class.__name__}.{name}: no method/path found"
                found.add((match["method"], match["path"]))
    return sorted(found, key=lambda op: (op[1], op[0]))


@pytest.fixture(scope="module")
def callers(lite_server: LiteServer) -> Iterator[dict[str, httpx.Client]]:
    with (
        lite_server.client() as anonymous,
        lite_server.client("user1") as user,
        lite_server.client("admin") as admin,
    ):
        yield {"anonymous": anonymous, "user": user, "admin": admin}


def _call(client: httpx.Client, operation: Operation) -> httpx.Response:
    method, template = operation
    path = re.sub(r"\{[^}]+\}", "dummy", template)
    body = {} if method in ("POST", "PUT", "PATCH") else None
    return client.request(method, path, json=body)


def _unrouted(response: httpx.Response) -> bool:
    if response.status_code != 404:
        return False
    try:
        message = response.json().get("message", "")
    except (ValueError, AttributeError):
        return False
    return isinstance(message, str) and message.startswith("Cannot ")


def test_the_sdk_knows_its_operations() -> None:
    operations = sdk_operations()
    assert len(operations) >= 200
    assert ("POST", "/api/v3/auth/login") in operations


def test_unrouted_operations_are_recognised(callers: dict[str, httpx.Client]) -> None:
    assert _unrouted(_call(callers["admin"], ("GET", "/api/v3/nothing/{id}")))
    assert not _unrouted(_call(callers["admin"], ("GET", "/api/v3/datasets/{pid}")))


def test_exceptions_are_few_and_explained() -> None:
    assert len(EXCEPTIONS) <= 11
    assert all(reason.strip() for reason in EXCEPTIONS.values())
    known = set(sdk_operations())
    assert set(EXCEPTIONS) <= known, "an exception names an operation the SDK no longer has"


@pytest.mark.parametrize("operation", sdk_operations(), ids=lambda op: f"{op[0]} {op[1]}")
def test_operation_is_routed_and_never_fails(
    callers: dict[str, httpx.Client], operation: Operation
) -> None:
    for who, client in callers.items():
        response = _call(client, operation)
        assert response.status_code < 500, (who, response.status_code, response.text)
        if operation in EXCEPTIONS:
            assert _unrouted(response), f"{operation} is an exception but answers {response.text}"
            continue
        assert not _unrouted(response), f"{operation} is not routed ({who}: {response.text})"
