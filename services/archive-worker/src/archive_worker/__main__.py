"""``python -m archive_worker``: wait for the broker and the backend, then consume jobs."""

from __future__ import annotations

import asyncio
import logging
import sys
import time

import aio_pika
import uvicorn

from .app import create_app
from .scicat import ScicatClient, ScicatError
from .settings import Settings, SettingsError

log = logging.getLogger("archive_worker")


class StartupError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


async def wait_for_dependencies(settings: Settings) -> None:
    """The broker accepts us and the backend logs us in, within DEPENDENCY_WAIT_SECONDS."""
    deadline = time.monotonic() + settings.wait_seconds
    while True:
        try:
            connection = await aio_pika.connect(settings.amqp_url, timeout=5)
            await connection.close()
            break
        except aio_pika.exceptions.ProbableAuthenticationError:
            raise StartupError("the broker rejects AMQP_URL's credentials", 2) from None
        except (OSError, asyncio.TimeoutError, aio_pika.exceptions.AMQPError) as exc:
            if time.monotonic() > deadline:
                raise StartupError(f"the broker is unreachable: {exc}", 1) from None
            await asyncio.sleep(1)
    client = ScicatClient(settings.scicat_url, settings.scicat_username, settings.scicat_password)
    try:
        while True:
            try:
                await client.login()
                return
            except ScicatError as exc:
                if exc.status in (400, 401, 403):
                    raise StartupError(
                        f"the backend refuses SCICAT_USERNAME {settings.scicat_username!r}: {exc}", 2
                    ) from None
                if time.monotonic() > deadline:
                    raise StartupError(f"the backend is unreachable: {exc}", 1) from None
                await asyncio.sleep(1)
    finally:
        await client.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
        asyncio.run(wait_for_dependencies(settings))
    except SettingsError as exc:
        print(f"archive-worker: {exc}", file=sys.stderr)
        sys.exit(2)
    except StartupError as exc:
        print(f"archive-worker: {exc}", file=sys.stderr)
        sys.exit(exc.code)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    main()
