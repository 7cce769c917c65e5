"""Docker tests share the integration tests' engine, cache and session state."""

from tests.integration.conftest import engine, session_state, shared_cache, shared_state  # noqa: F401
