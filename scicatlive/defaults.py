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
