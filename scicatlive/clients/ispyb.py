"""The ISPyB mock's API (py-ISPyB's routes under /ispyb/api/v1), each request described once."""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from scicatlive.clients.http import AsyncSession, Call, json_body, token_in
from scicatlive.errors import ServiceError

SERVICE = "ISPyB"
ISPYB_API = "/ispyb/api/v1"
PAGE_SIZE = 1000  # the mock's (and py-ISPyB's) largest ``limit``


token = token_in("token", SERVICE)


def login(username: str, password: str, plugin: str = "dummy") -> Call[str]:
    return Call(
        f"log in to ISPyB as {username}", "POST", f"{ISPYB_API}/auth/login", token,
        json={"plugin": plugin, "login": username, "password": password},
    )  # fmt: skip


def load_proposal(body: dict[str, Any]) -> Call[Any]:
    """Upsert a whole proposal graph in one transaction (``POST /bulk/proposals``)."""
    name = f"{body['proposalCode']}{body['proposalNumber']}"
    return Call(f"load proposal {name} into ISPyB", "POST", f"{ISPYB_API}/bulk/proposals", json_body, json=body)


def page(path: str, what: str, params: dict[str, str] | None = None, *, skip: int = 0, limit: int = PAGE_SIZE) -> Call[Page]:
    query = {**(params or {}), "skip": str(skip), "limit": str(limit)}
    return Call(f"read {what} from ISPyB", "GET", f"{ISPYB_API}/{path}", lambda a: Page.parse(a, what), params=query)


class Page(BaseModel):
    """One page of a py-ISPyB list: ``{total, results, skip, limit}``."""

    total: int
    results: list[dict[str, Any]]

    @classmethod
    def parse(cls, answer: httpx.Response, what: str) -> Page:
        try:
            return cls.model_validate(answer.json())
        except (ValidationError, ValueError) as error:
            problems = error.error_count() if isinstance(error, ValidationError) else 1
            raise ServiceError(f"read {what} from ISPyB: not a page of results ({problems} problems)") from None


async def read_all(
    session: AsyncSession, path: str, what: str, params: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Every row of a paginated list, page by page; ``what`` names the rows in errors."""
    rows: list[dict[str, Any]] = []
    while True:
        found = await session.run(page(path, what, params, skip=len(rows)))
        rows += found.results
        if not found.results or len(rows) >= found.total:
            return rows
