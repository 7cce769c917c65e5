"""The follower in a thread, and what it says about itself: ``/health`` and ``/status``."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from scicatlive.clients.target import Account, Target
from scicatlive.errors import ScicatliveError
from scicatlive.sync.facts import FacilityFacts
from scicatlive.sync.follow import FollowOptions, follow
from scicatlive.sync.follow_state import FollowState, StateFile

from .errors import NotYet, install_error_handlers
from .settings import Settings

log = logging.getLogger("follow_service")


class Follower:
    """Runs ``scicatlive.sync.follow`` until stopped and keeps its latest state."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop = threading.Event()
        self.state: FollowState | None = None
        self.thread = threading.Thread(target=self._run, name="follower", daemon=True)

    def target(self) -> Target:
        account = Account(password=SecretStr(self.settings.password))
        return Target(backend_url=self.settings.scicat_url, ispyb_url=self.settings.ispyb_url,
                      accounts={self.settings.account: account}, site=self.settings.site,
                      pid_prefix=self.settings.pid_prefix)  # fmt: skip

    def _run(self) -> None:
        options = FollowOptions(account=self.settings.account, poll_seconds=self.settings.poll_seconds,
                                sample_layout=self.settings.sample_layout, refused_login="retry")  # type: ignore[arg-type]  # fmt: skip
        try:
            follow(self.target(), StateFile(self.settings.state_file), options, stop=self.stop,
                   facility=FacilityFacts(site=self.settings.site), on_state=self._keep)  # fmt: skip
        except ScicatliveError as error:
            log.error("the follower stopped: %s", error)
            os._exit(2)  # a setting the stack must fix (e.g. the account): the container says so
        except Exception:
            log.exception("the follower failed")
            os._exit(1)  # restarted by the stack's restart policy, from the recorded position

    def _keep(self, state: FollowState) -> None:
        self.state = state.model_copy(deep=True)

    def health(self) -> tuple[bool, dict[str, Any]]:
        state = self.state
        if state is None or not self.thread.is_alive():
            return False, {"status": "starting" if self.thread.is_alive() else "stopped"}
        age = (datetime.now(UTC) - state.heartbeat).total_seconds() if state.heartbeat else None
        fresh = age is not None and age <= self.settings.stale_seconds
        healthy = fresh and state.phase == "following"
        return healthy, {"status": "ok" if healthy else state.phase, **state.summary()}


def create_app(settings: Settings) -> FastAPI:
    follower = Follower(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        follower.thread.start()
        yield
        follower.stop.set()
        follower.thread.join(timeout=15)

    app = FastAPI(title="scicatlive sync (follow)", lifespan=lifespan)
    install_error_handlers(app)

    @app.get("/health")
    def health() -> JSONResponse:
        healthy, body = follower.health()
        return JSONResponse(body, status_code=200 if healthy else 503)

    @app.get("/status")
    def status() -> dict[str, Any]:
        if follower.state is None:
            raise NotYet("the follower has not started yet")
        return follower.state.model_dump(mode="json")

    return app
