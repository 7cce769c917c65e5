"""The SciCat REST API (upstream backend-next or scicat-lite), each request described once.

Writes are idempotent where the seeder needs it: records carry deterministic ids,
and a 409 means "already there" (``created`` reads it as False).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from scicatlive.clients.http import Call, json_body, token_in

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


access_token = token_in("access_token", SERVICE)


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


def find_published_data(doi: str) -> Call[Any]:
    """The v3 record with ``doi`` (signed in: whatever its status), or None."""
    return Call(
        f"find published data {doi}", "GET", f"{V3}/publisheddata/{encode_pid(doi)}",
        lambda answer: None if answer.status_code == 404 else answer.json(), tolerate=(404,),
    )  # fmt: skip


def create_published_data(payload: dict[str, Any]) -> Call[Any]:
    """The v3 create keeps the client's ``doi`` (upstream has no 409 for it: look first)."""
    return Call(f"create published data {payload['doi']}", "POST", f"{V3}/publisheddata", json_body, json=payload)


# Upstream's v3 register answers 424 (or the agency's status) when it cannot reach DataCite.
REGISTRATION_AGENCY_FAILED = 424


def register_published_data(doi: str) -> Call[bool]:
    """True when registered; False when the backend could not reach its DOI registration agency."""
    return Call(
        f"register published data {doi}", "POST", f"{V3}/publisheddata/{encode_pid(doi)}/register",
        lambda answer: answer.status_code != REGISTRATION_AGENCY_FAILED, tolerate=(REGISTRATION_AGENCY_FAILED,),
    )  # fmt: skip


def mark_registered(doi: str, registered_time: str) -> Call[Any]:
    """What register does to the record itself, for a backend without a DOI registration agency."""
    return Call(
        f"mark published data {doi} registered", "PATCH", f"{V3}/publisheddata/{encode_pid(doi)}", json_body,
        json={"status": "registered", "registeredTime": registered_time},
    )  # fmt: skip


def create_attachment(payload: dict[str, Any]) -> Call[bool]:
    """A v4 attachment with its own ``aid``."""
    return create("attachment", f"{V4}/attachments", payload, payload["aid"])
