"""``python -m frontend_lite``: serve the frontend with uvicorn."""

from __future__ import annotations

import logging
import sys

import uvicorn

from .app import create_app
from .config import ConfigError
from .settings import Settings, SettingsError


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env()
        app = create_app(settings)
    except (SettingsError, ConfigError) as error:
        print(f"frontend-lite: {error}", file=sys.stderr)
        sys.exit(2)
    uvicorn.run(app, host=settings.host, port=settings.port, proxy_headers=False, access_log=False)


if __name__ == "__main__":
    main()
