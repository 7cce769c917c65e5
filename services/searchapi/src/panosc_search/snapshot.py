"""The indexed snapshot of the backend's public data, kept fresh without re-reading it all.

A request finds the snapshot current if it was checked less than ``change_check_seconds``
ago; otherwise a few cheap reads (counts and newest ``updatedAt`` of published data and
published datasets) tell whether anything changed, and only then is everything re-read.
Whatever the fingerprint, the snapshot is rebuilt after ``max_age_seconds`` (proposals,
samples and instruments change without touching it). One refresh runs at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from .build import Source, build_catalogue, proposal_ids
from .model import Catalogue
from .relevance import TfIdf, build_indexes
from .scicat import ScicatClient
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Snapshot:
    catalogue: Catalogue
    relevance: dict[str, TfIdf]
    fingerprint: tuple[Any, ...]
    built_at: float
    seconds: float  # how long reading and indexing took


class Index:
    def __init__(self, settings: Settings, client: ScicatClient) -> None:
        self.settings = settings
        self.client = client
        self._snapshot: Snapshot | None = None
        self._checked_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def snapshot(self) -> Snapshot | None:
        return self._snapshot

    async def current(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked_at < \
                self.settings.change_check_seconds:
            return snapshot
        async with self._lock:
            snapshot = self._snapshot
            now = time.monotonic()
            if snapshot is not None and now - self._checked_at < \
                    self.settings.change_check_seconds:
                return snapshot
            fingerprint = await self.client.fingerprint()
            if (snapshot is None or fingerprint != snapshot.fingerprint
                    or now - snapshot.built_at > self.settings.max_age_seconds):
                snapshot = await self._build(fingerprint)
                self._snapshot = snapshot
            self._checked_at = time.monotonic()
            return snapshot

    async def _build(self, fingerprint: tuple[Any, ...]) -> Snapshot:
        started = time.monotonic()
        published, datasets, instruments, samples = await asyncio.gather(
            self.client.published_data(), self.client.published_datasets(),
            self.client.instruments(), self.client.samples(),
        )
        token = None
        if self.settings.scicat_username and self.settings.scicat_password:
            token = await self.client.login(self.settings.scicat_username,
                                            self.settings.scicat_password.get_secret_value())
        proposals = await self.client.proposals(proposal_ids(datasets), token)
        catalogue = build_catalogue(
            Source(published, datasets, instruments, samples, proposals), self.settings.facility
        )
        relevance = build_indexes(catalogue)
        seconds = time.monotonic() - started
        log.info("indexed %d datasets, %d documents, %d instruments in %.2f s",
                 catalogue.count("Dataset"), catalogue.count("Document"),
                 catalogue.count("Instrument"), seconds)
        return Snapshot(catalogue, relevance, fingerprint, time.monotonic(), seconds)
