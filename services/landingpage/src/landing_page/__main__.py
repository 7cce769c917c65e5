"""``python -m landing_page``: wait for the backend, then serve the pages with uvicorn."""

from __future__ import annotations

import asyncio
import logging
import sys
import time

import uvicorn

from .app import create_app
from .scicat import BackendError, BackendUnreachable, LandingClient
from .settings import Settings, SettingsError

NAME = "landingpage"


async def wait_for_backend(settings: Settings) -> None:
    client = LandingClient(settings.backend_url, timeout=settings.backend_timeout)
    deadline = time.monotonic() + settings.backend_wait_seconds
    try:
        while True:
            try:
                await client.health()
                return
            except (BackendUnreachable, BackendError):
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(1)
    finally:
        await client.aclose()


def main() -> None:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"{NAME}: {error}", file=sys.stderr)
        sys.exit(2)
    try:
        asyncio.run(wait_for_backend(settings))
    except (BackendUnreachable, BackendError) as error:
        print(f"{NAME}: {error} (waited {settings.backend_wait_seconds:g} s; "
              "set BACKEND_WAIT_SECONDS to wait longer)", file=sys.stderr)
        sys.exit(1)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                proxy_headers=False, access_log=False)


if __name__ == "__main__":
    main()
