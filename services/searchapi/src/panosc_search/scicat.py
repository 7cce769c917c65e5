"""SciCat's REST API (v3), as the search API reads it: public data, paged.

Everything is read anonymously, so that only what the backend shows the public is indexed;
the one exception is proposals, which SciCat never publishes: with an account configured,
the proposals of published datasets are read with its token (see README, "Documents").
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)
CONCURRENCY = 8


class BackendUnreachable(Exception):
    """The backend did not answer (refused, DNS, timeout)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"the SciCat backend at {url} did not answer: {reason}")
        self.url = url


class BackendError(Exception):
    """The backend answered with an unexpected status."""

    def __init__(self, what: str, status: int, body: str) -> None:
        super().__init__(f"the SciCat backend failed ({what}): {status} {body[:200]}")
        self.status = status


def _filter(**parts: Any) -> dict[str, str]:
    return {"filter": json.dumps(parts, separators=(",", ":"))}


class ScicatClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        page_size: int,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        self._warned = False
        self._http = httpx.AsyncClient(
            base_url=f"{self.base_url}/api/v3",
            timeout=httpx.Timeout(timeout, connect=min(timeout, 1.0)),
            transport=transport,
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(
        self, path: str, what: str, params: dict[str, str] | None = None, token: str | None = None
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self._http.get(path, params=params, headers=headers)
        except httpx.TransportError as error:
            raise BackendUnreachable(self.base_url, str(error) or type(error).__name__) from error
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise BackendError(what, response.status_code, response.text)
        try:
            return response.json() if response.content else None
        except ValueError as error:
            raise BackendError(what, response.status_code, "not JSON") from error

    async def _paged(self, path: str, what: str, where: dict[str, Any] | None = None,
                     **extra: Any) -> list[dict[str, Any]]:
        """Every document of a v3 list, ``page_size`` at a time (the backend's default is 100)."""
        items: list[dict[str, Any]] = []
        seen: set[str] = set()
        skip = 0
        while True:
            parts: dict[str, Any] = {
                "limits": {"limit": self.page_size, "skip": skip, "order": "createdAt:asc"},
                **extra,
            }
            if where:
                parts["where"] = where
            page = await self._get(path, what, _filter(**parts))
            if not isinstance(page, list):
                raise BackendError(what, 200, f"expected a list, got {type(page).__name__}")
            for item in page:
                key = str(item.get("_id") or item.get("pid") or item.get("doi") or id(item))
                if key not in seen:  # a record created mid-read shifts the pages by one
                    seen.add(key)
                    items.append(item)
            if len(page) < self.page_size:
                return items
            skip += self.page_size

    async def health(self) -> None:
        await self._get("/health", "health")

    async def login(self, username: str, password: str) -> str | None:
        try:
            response = await self._http.post(
                "/auth/login", json={"username": username, "password": password}
            )
        except httpx.TransportError as error:
            raise BackendUnreachable(self.base_url, str(error) or type(error).__name__) from error
        if response.status_code >= 400:
            log.warning("login as %s refused (%s): proposals stay unread", username,
                        response.status_code)
            return None
        token = response.json().get("access_token") or response.json().get("id")
        return str(token) if token else None

    async def published_data(self) -> list[dict[str, Any]]:
        """Registered published data: what the backend lists to anonymous callers.

        A backend without the published-data API (404) has no published data: the datasets
        stay searchable, and the documents are the proposals only.
        """
        if await self._get("/publisheddata/count", "published data count") is None:
            if not self._warned:
                log.warning("%s has no published-data API: no publication documents",
                            self.base_url)
                self._warned = True
            return []
        return await self._paged("/publisheddata", "published data")

    async def published_datasets(self) -> list[dict[str, Any]]:
        return await self._paged(
            "/datasets", "published datasets", {"isPublished": True},
            include=[{"relation": "origdatablocks"}],
        )

    async def instruments(self) -> list[dict[str, Any]]:
        return await self._paged("/instruments", "instruments")

    async def samples(self) -> list[dict[str, Any]]:
        return await self._paged("/samples", "samples", {"isPublished": True})

    async def proposals(self, ids: Sequence[str], token: str | None) -> dict[str, dict[str, Any]]:
        """The proposals named by published datasets that this caller may read."""
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(proposal_id: str) -> tuple[str, Any]:
            async with gate:
                try:
                    found = await self._get(
                        f"/proposals/{quote(proposal_id, safe='')}", "proposal", token=token
                    )
                except BackendError as error:
                    if error.status in (401, 403):
                        return proposal_id, None
                    raise
                return proposal_id, found

        pairs = await asyncio.gather(*(one(i) for i in ids))
        return {key: value for key, value in pairs if isinstance(value, dict)}

    async def fingerprint(self) -> tuple[Any, ...]:
        """Cheap reads that change whenever published data or published datasets change."""

        async def newest(path: str, where: dict[str, Any] | None) -> tuple[Any, ...]:
            parts: dict[str, Any] = {"limits": {"limit": 1, "skip": 0, "order": "updatedAt:desc"}}
            if where:
                parts["where"] = where
            page = await self._get(path, path, _filter(**parts)) or []
            first = page[0] if isinstance(page, list) and page else {}
            return first.get("_id") or first.get("pid") or first.get("doi"), first.get("updatedAt")

        counts = await asyncio.gather(
            self._get("/publisheddata/count", "count"),
            self._get("/datasets/count", "count", _filter(where={"isPublished": True})),
            newest("/publisheddata", None),
            newest("/datasets", {"isPublished": True}),
        )
        return tuple(json.dumps(c, sort_keys=True, default=str) for c in counts)
