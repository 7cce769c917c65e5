"""The ISPyB mock's API (py-ISPyB's routes under /ispyb/api/v1), as the seeder uses it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from scicatlive.clients.http import AsyncApi
from scicatlive.errors import ServiceError

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

    async def read_all(self, path: str, what: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every row of a paginated list (``{total, results, skip, limit}``), page by page.

        ``what`` names the rows in errors, e.g. ``"samples of MX20240001"``.
        """
        rows: list[dict[str, Any]] = []
        while True:
            query = {**(params or {}), "skip": str(len(rows)), "limit": str(PAGE_SIZE)}
            response = await self.api.call(f"read {what} from ISPyB", "GET", f"{API}/{path}", params=query)
            page = _page(response.json(), what)
            rows += page.results
            if not page.results or len(rows) >= page.total:
                return rows


PAGE_SIZE = 1000  # the mock's (and py-ISPyB's) largest ``limit``


class _Page(BaseModel):
    total: int
    results: list[dict[str, Any]]


def _page(body: Any, what: str) -> _Page:
    try:
        return _Page.model_validate(body)
    except ValidationError as error:
        raise ServiceError(f"read {what} from ISPyB: not a page of results ({error.error_count()} problems)") from None
