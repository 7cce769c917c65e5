"""What the live tests share: a follower in a thread, waiting for a condition, reading SciCat."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from scicatlive.clients.target import Target
from scicatlive.sync.follow import FollowOptions, FollowReport, follow
from scicatlive.sync.follow_state import FollowState, StateFile


@dataclass
class BackgroundFollower:
    target: Target
    state_file: StateFile
    stop: threading.Event = field(default_factory=threading.Event)
    states: list[FollowState] = field(default_factory=list)
    reports: list[FollowReport] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def run(self, **extra: Any) -> None:
        try:
            options = FollowOptions(poll_seconds=0.2)
            self.reports.append(follow(self.target, self.state_file, options, stop=self.stop, on_state=self.states.append, **extra))
        except BaseException as error:  # noqa: BLE001 - the test asserts on it
            self.errors.append(error)

    @property
    def state(self) -> FollowState:
        return self.states[-1]

    def caught_up(self) -> bool:
        """Everything ISPyB's feed holds now is loaded (the follower's own head may be a poll old)."""
        return bool(self.states) and self.state.phase == "following" and self.state.position >= feed_head(self.target)


@contextmanager
def following(target: Target, state_file: StateFile, **extra: Any) -> Iterator[BackgroundFollower]:
    follower = BackgroundFollower(target, state_file)
    thread = threading.Thread(target=follower.run, kwargs=extra, name="test-follower", daemon=True)
    thread.start()
    try:
        yield follower
    finally:
        follower.stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive(), "the follower did not stop"
    assert not follower.errors, follower.errors


def wait_until(condition: Callable[[], Any], timeout: float = 30.0, what: str = "the condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")


@contextmanager
def scicat_admin(target: Target) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{target.backend_url}/api/v3", timeout=30) as client:
        reply = client.post("/auth/login", json={"username": "admin", "password": target.password("admin")})
        client.headers["Authorization"] = f"Bearer {reply.raise_for_status().json()['access_token']}"
        yield client


@contextmanager
def ispyb_admin(target: Target) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{target.ispyb_url}/ispyb/api/v1", timeout=30) as client:
        reply = client.post("/auth/login", json={"login": "admin", "password": target.password("admin")})
        client.headers["Authorization"] = f"Bearer {reply.raise_for_status().json()['token']}"
        yield client


def datasets(scicat: httpx.Client, **where: Any) -> list[dict[str, Any]]:
    query = json.dumps({"where": where, "limits": {"limit": 1000}})
    found: list[dict[str, Any]] = scicat.get("/datasets", params={"filter": query}).raise_for_status().json()
    return found


def dataset(scicat: httpx.Client, pid: str) -> dict[str, Any] | None:
    found = datasets(scicat, pid=pid)
    return found[0] if found else None


def ispyb_total(ispyb: httpx.Client, path: str, **query: str) -> int:
    total: int = ispyb.get(f"/{path}", params={**query, "limit": "1"}).raise_for_status().json()["total"]
    return total


def feed_head(target: Target) -> int:
    """ISPyB's change feed's last position now."""
    with ispyb_admin(target) as ispyb:
        head: int = ispyb.get("/changes", params={"after": "0", "limit": "1"}).raise_for_status().json()["head"]
    return head
