"""SciCat's published data (v3), read anonymously: exactly what the backend shows the public.

The v3 list answers 100 records unless told otherwise, so it is read page by page. Upstream's
provider reads ``GET /publisheddata`` the same way, with ``where: {status: "registered"}``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx


class BackendUnreachable(Exception):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the SciCat backend at {url} did not answer: {reason}")


class BackendError(Exception):
    def __init__(self, what: str, status: int, body: str) -> None:
        super().__init__(f"the SciCat backend failed ({what}): {status} {body[:200]}")


class PublishedDataClient:
    def __init__(self, base_url: str, *, timeout: float, page_size: int,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url
        self.page_size = page_size
        self._http = httpx.AsyncClient(
            base_url=f"{base_url}/api/v3", transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 1.0)),
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        try:
            response = await self._http.get(path, params=params)
        except httpx.TransportError as error:
            raise BackendUnreachable(self.base_url, str(error) or type(error).__name__) from error
        if response.status_code == 404 and path == "/publisheddata":
            return []  # a backend without the published-data API has published nothing
        if response.status_code >= 400:
            raise BackendError(f"GET {path}", response.status_code, response.text)
        try:
            return response.json()
        except ValueError as error:
            raise BackendError(f"GET {path}", response.status_code, "not JSON") from error

    async def health(self) -> None:
        await self._get("/health")

    async def registered(self) -> list[dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        skip = 0
        while True:
            spec = {"where": {"status": "registered"},
                    "limits": {"limit": self.page_size, "skip": skip, "order": "createdAt:asc"}}
            page = await self._get("/publisheddata",
                                   {"filter": json.dumps(spec, separators=(",", ":"))})
            if not isinstance(page, list):
                raise BackendError("GET /publisheddata", 200, "not a list")
            for record in page:
                if isinstance(record, dict) and isinstance(record.get("doi"), str):
                    records.setdefault(record["doi"], record)
            if len(page) < self.page_size:
                return list(records.values())
            skip += self.page_size
