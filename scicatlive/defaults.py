"""Defaults that several layers share, kept in one place."""

from __future__ import annotations

# The PID_PREFIX of SciCat's own examples and of SciCatLive's backend.
DEFAULT_PID_PREFIX = "PID.SAMPLE.PREFIX"
# The facility site of the bundled recipes and profiles (barcodes, creationLocation, ids).
DEFAULT_SITE = "SCICATLIVE"
# The functional account that seeds, syncs and checks a stack started here.
DEFAULT_ACCOUNT = "admin"
# SciCat adds this group to accounts marked ``global`` in functionalAccounts.json.
GLOBAL_GROUP = "globalaccess"

# Environment variables that name a remote target (the CLI's --backend-url & co., the pytest plugin).
ENV_BACKEND = "SCICATLIVE_BACKEND_URL"
ENV_ISPYB = "SCICATLIVE_ISPYB_URL"
ENV_FRONTEND = "SCICATLIVE_FRONTEND_URL"
ENV_CREDENTIALS = "SCICATLIVE_CREDENTIALS_FILE"
ENV_USERNAME = "SCICATLIVE_USERNAME"
ENV_PASSWORD = "SCICATLIVE_PASSWORD"
# ... and the feature services a remote target's checks reach (the `check` command's options).
ENV_FEATURES = "SCICATLIVE_FEATURES"
ENV_RABBITMQ_URL = "SCICATLIVE_RABBITMQ_URL"
ENV_RABBITMQ_USERNAME = "SCICATLIVE_RABBITMQ_USERNAME"
ENV_RABBITMQ_PASSWORD = "SCICATLIVE_RABBITMQ_PASSWORD"
ENV_OIDC_ISSUER = "SCICATLIVE_OIDC_ISSUER"
ENV_SEARCHAPI_URL = "SCICATLIVE_SEARCHAPI_URL"
ENV_OAI_URL = "SCICATLIVE_OAI_URL"
ENV_LANDING_URL = "SCICATLIVE_LANDING_URL"
# The DOI prefix of the bundled backends (DOI_PREFIX): seeded published data get DOIs under it.
DEFAULT_DOI_PREFIX = "10.9999"
DEFAULT_RETRY_SECONDS = 60.0  # how long clients retry a service that does not answer
