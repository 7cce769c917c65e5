"""SciCat's v3 API as the landing pages read it, anonymously: registered published data, the
public datasets they name and those datasets' files."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

import httpx

CONCURRENCY = 8


class BackendUnreachable(Exception):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the SciCat backend at {url} did not answer: {reason}")


class BackendError(Exception):
    def __init__(self, what: str, status: int, body: str) -> None:
        super().__init__(f"the SciCat backend failed ({what}): {status} {body[:200]}")


def segment(value: str) -> str:
    return quote(value, safe="")


class LandingClient:
    def __init__(self, base_url: str, *, timeout: float,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url
        self._http = httpx.AsyncClient(
            base_url=f"{base_url}/api/v3", transport=transport,
            # A refused connection fails at once; the connect budget is for a slow host
            # (1 s was too little for a backend on a loaded machine, and pages turned 503).
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, params: dict[str, str] | None = None,
                   missing: tuple[int, ...] = ()) -> Any:
        try:
            response = await self._http.get(path, params=params)
        except httpx.TransportError as error:
            raise BackendUnreachable(self.base_url, str(error) or type(error).__name__) from error
        if response.status_code in missing:
            return None
        if response.status_code >= 400:
            raise BackendError(f"GET {path}", response.status_code, response.text)
        try:
            return response.json() if response.content else None
        except ValueError as error:
            raise BackendError(f"GET {path}", response.status_code, "not JSON") from error

    async def health(self) -> None:
        await self._get("/health")

    async def publication(self, doi: str) -> dict[str, Any] | None:
        found = await self._get(f"/publisheddata/{segment(doi)}", missing=(400, 403, 404))
        if not isinstance(found, dict) or found.get("doi") != doi:
            return None
        return found if found.get("status", "registered") == "registered" else None

    async def publications(self, skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        spec = {"limits": {"skip": skip, "limit": limit, "order": "registeredTime:desc"}}
        # A backend without the published-data API (404) has published nothing.
        page, count = await asyncio.gather(
            self._get("/publisheddata", {"filter": json.dumps(spec, separators=(",", ":"))},
                      missing=(404,)),
            self._get("/publisheddata/count", missing=(404,)),
        )
        items = [p for p in page or [] if isinstance(p, dict)]
        return items, int((count or {}).get("count", len(items)))

    async def datasets(self, pids: list[str]) -> dict[str, tuple[dict[str, Any], list[Any]]]:
        """Each public dataset with its origdatablocks; unpublished or missing pids are left out."""
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(pid: str) -> tuple[str, Any, Any]:
            async with gate:
                dataset = await self._get(f"/datasets/{segment(pid)}", missing=(400, 403, 404))
                if not isinstance(dataset, dict) or dataset.get("isPublished") is not True:
                    return pid, None, None
                blocks = await self._get(f"/datasets/{segment(pid)}/origdatablocks",
                                         missing=(400, 403, 404))
                return pid, dataset, blocks if isinstance(blocks, list) else []

        found = await asyncio.gather(*(one(pid) for pid in dict.fromkeys(pids)))
        return {pid: (dataset, blocks) for pid, dataset, blocks in found if dataset is not None}
