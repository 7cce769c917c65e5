"""The ISPyB mock's API (py-ISPyB's routes under /ispyb/api/v1), as the seeder uses it."""

from __future__ import annotations

from typing import Any

from scicatlive.clients.http import AsyncApi

API = "/ispyb/api/v1"


class IspybApi:
    def __init__(self, api: AsyncApi) -> None:
        self.api = api

    async def login(self, login: str, password: str) -> dict[str, Any]:
        response = await self.api.call(
            f"log in to ISPyB as {login}", "POST", f"{API}/auth/login",
            json_body={"plugin": "dummy", "login": login, "password": password}, ok=(200, 201),
        )
        body: dict[str, Any] = response.json()
        self.api.use_token(body["token"])
        return body

    async def load_proposal(self, body: dict[str, Any]) -> dict[str, Any]:
        """Upsert a whole proposal graph in one transaction (``POST /bulk/proposals``)."""
        name = f"{body['proposalCode']}{body['proposalNumber']}"
        response = await self.api.call(f"load proposal {name} into ISPyB", "POST", f"{API}/bulk/proposals", json_body=body)
        result: dict[str, Any] = response.json()
        return result

    async def page(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.api.call(f"read {path}", "GET", f"{API}/{path}", params=params)
        result: dict[str, Any] = response.json()
        return result
