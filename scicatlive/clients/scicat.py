"""The SciCat REST API, as the seeder and the checks use it: upstream backend-next or scicat-lite.

Writes are idempotent: every entity the seeder creates has a deterministic
id, a 409 means "already there", and sub-documents (origdatablocks,
attachments) are only added when the dataset has none yet.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from scicatlive.clients.http import AsyncApi

API = "/api/v3"


def encode_pid(pid: str) -> str:
    """PIDs hold a slash (``prefix/uuid``); in a path it must be encoded."""
    return quote(pid, safe="")


class ScicatApi:
    def __init__(self, api: AsyncApi) -> None:
        self.api = api

    async def login(self, username: str, password: str) -> dict[str, Any]:
        response = await self.api.call(
            f"log in to SciCat as {username}", "POST", f"{API}/auth/login",
            json_body={"username": username, "password": password}, ok=(200, 201),
        )
        body: dict[str, Any] = response.json()
        self.api.use_token(body["access_token"])
        return body

    async def ensure_instrument(self, payload: dict[str, Any]) -> tuple[str, bool]:
        """Create the instrument, or find it by its unique name; returns (pid, created)."""
        name = payload["uniqueName"]
        response = await self.api.call(
            f"create instrument {name}", "POST", f"{API}/instruments", json_body=payload, tolerate=(409,)
        )
        if response.status_code != 409:
            return str(response.json()["pid"]), True
        found = await self.api.call(
            f"find instrument {name}", "GET", f"{API}/instruments",
            params={"filter": json.dumps({"where": {"uniqueName": name}})},
        )
        return str(found.json()[0]["pid"]), False

    async def ensure_proposal(self, payload: dict[str, Any]) -> bool:
        """True when created, False when it was already there."""
        response = await self.api.call(
            f"create proposal {payload['proposalId']}", "POST", f"{API}/proposals", json_body=payload, tolerate=(409,)
        )
        return response.status_code != 409

    async def ensure_sample(self, payload: dict[str, Any]) -> bool:
        response = await self.api.call(
            f"create sample {payload['sampleId']}", "POST", f"{API}/samples", json_body=payload, tolerate=(409,)
        )
        return response.status_code != 409

    async def ensure_dataset(self, payload: dict[str, Any]) -> bool:
        response = await self.api.call(
            f"create {payload['type']} dataset {payload['pid']}", "POST", f"{API}/datasets",
            json_body=payload, tolerate=(409,),
        )
        return response.status_code != 409

    async def ensure_origdatablock(self, pid: str, payload: dict[str, Any], *, dataset_is_new: bool = False) -> bool:
        """Add the dataset's files unless it has some; a dataset created just now has none."""
        if not dataset_is_new:
            path = f"{API}/datasets/{encode_pid(pid)}/origdatablocks"
            existing = await self.api.call(f"list origdatablocks of {pid}", "GET", path)
            if existing.json():
                return False
        await self.api.call(f"create origdatablock of {pid}", "POST", f"{API}/origdatablocks", json_body=payload)
        return True

    async def ensure_attachment(self, payload: dict[str, Any]) -> bool:
        """A v4 attachment with its own ``aid``; 409 means it is there already."""
        response = await self.api.call(
            f"create attachment {payload['aid']}", "POST", "/api/v4/attachments", json_body=payload, tolerate=(409,)
        )
        return response.status_code != 409
