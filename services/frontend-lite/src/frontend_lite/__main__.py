"""``python -m frontend_lite``: check the configuration, wait for the backend, serve.

Exit 2 with one line for a configuration error (environment, config.json, view file),
exit 1 with one line when the backend does not answer within BACKEND_WAIT_SECONDS.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from .app import create_app
from .config import ConfigError
from .health import BackendNeverAnswered, wait_for_backend
from .settings import Settings, SettingsError
from .views.config import ViewConfigError

CONFIGURATION_ERROR = 2
DEPENDENCY_ERROR = 1


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # httpx logs every request at INFO: the health probe alone would fill the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
        app = create_app(settings)
    except (SettingsError, ConfigError, ViewConfigError) as error:
        print(f"frontend-lite: {error}", file=sys.stderr)
        return CONFIGURATION_ERROR
    try:
        wait_for_backend(
            app.state.backend.base_url,
            settings.backend_wait_seconds,
            connect_timeout=max(settings.backend_connect_timeout, 1.0),
        )
    except BackendNeverAnswered as error:
        print(f"frontend-lite: {error}", file=sys.stderr)
        return DEPENDENCY_ERROR
    uvicorn.run(app, host=settings.host, port=settings.port, proxy_headers=False, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
