"""The SciCat REST API (upstream backend-next or scicat-lite), each request described once.

Writes are idempotent where the seeder needs it: records carry deterministic ids,
and a 409 means "already there" (``created`` reads it as False).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from scicatlive.clients.http import Call, json_body
from scicatlive.errors import ServiceError

SERVICE = "SciCat"
V3 = "/api/v3"
V4 = "/api/v4"


def encode_pid(pid: str) -> str:
    """PIDs hold a slash (``prefix/uuid``); in a path segment it must be encoded."""
    return quote(pid, safe="")


def filter_param(**filter_: Any) -> dict[str, str]:
    """LoopBack's ``filter`` query parameter."""
    return {"filter": json.dumps(filter_)}


def created(answer: httpx.Response) -> bool:
    return answer.status_code != 409


def access_token(answer: httpx.Response) -> str:
    body = answer.json()
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str):
        keys = sorted(body) if isinstance(body, dict) else type(body).__name__
        raise ServiceError(f"log in to SciCat: expected an access_token in the reply, got {keys}")
    return token


def login(username: str, password: str) -> Call[str]:
    return Call(
        f"log in to SciCat as {username}", "POST", f"{V3}/auth/login", access_token,
        json={"username": username, "password": password},
    )  # fmt: skip


def create(kind: str, path: str, payload: dict[str, Any], name: str) -> Call[bool]:
    """Create a record; False when one with its id is already there."""
    return Call(f"create {kind} {name}", "POST", path, created, json=payload, tolerate=(409,))


def create_instrument(payload: dict[str, Any]) -> Call[str | None]:
    """The pid the backend gave the new instrument; None when its unique name is taken."""
    return Call(
        f"create instrument {payload['uniqueName']}", "POST", f"{V3}/instruments",
        lambda answer: None if answer.status_code == 409 else str(answer.json()["pid"]),
        json=payload, tolerate=(409,),
    )  # fmt: skip


def find_instruments(unique_name: str) -> Call[Any]:
    return Call(
        f"find instrument {unique_name}", "GET", f"{V3}/instruments", json_body,
        params=filter_param(where={"uniqueName": unique_name}),
    )  # fmt: skip


def create_proposal(payload: dict[str, Any]) -> Call[bool]:
    return create("proposal", f"{V3}/proposals", payload, payload["proposalId"])


def create_sample(payload: dict[str, Any]) -> Call[bool]:
    return create("sample", f"{V3}/samples", payload, payload["sampleId"])


def create_dataset(payload: dict[str, Any]) -> Call[bool]:
    return create(f"{payload['type']} dataset", f"{V3}/datasets", payload, payload["pid"])


def dataset_origdatablocks(pid: str) -> Call[Any]:
    path = f"{V3}/datasets/{encode_pid(pid)}/origdatablocks"
    return Call(f"list origdatablocks of {pid}", "GET", path, json_body)


def create_origdatablock(pid: str, payload: dict[str, Any]) -> Call[Any]:
    return Call(f"create origdatablock of {pid}", "POST", f"{V3}/origdatablocks", json_body, json=payload)


def create_attachment(payload: dict[str, Any]) -> Call[bool]:
    """A v4 attachment with its own ``aid``."""
    return create("attachment", f"{V4}/attachments", payload, payload["aid"])
