"""The ``keycloak`` login plugin: an access token of the stack's OpenID Connect provider.

py-ISPyB's plugin asks Keycloak's userinfo endpoint; this one checks the token
itself, as any resource server does: the signature against the provider's keys
(found through its discovery document), the issuer, the audience and the expiry.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from typing import Any

import jwt

from .settings import OidcSettings

log = logging.getLogger(__name__)

_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]


class TokenRejected(ValueError):
    """The token is not one of the provider's, or no longer valid; the reason is logged."""


class ProviderUnreachable(RuntimeError):
    """The provider's discovery document or keys could not be fetched."""


class OidcVerifier:
    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._keys: jwt.PyJWKClient | None = None

    def export_config(self) -> dict[str, Any]:
        """What ``GET /auth/config`` shows of the plugin (no secrets)."""
        return {"issuer": self.settings.issuer, "clientId": self.settings.audience}

    def _key_client(self) -> jwt.PyJWKClient:
        with self._lock:
            if self._keys is None:
                url = self.settings.jwks_url or self._discover_jwks_url()
                self._keys = jwt.PyJWKClient(
                    url, cache_keys=True, timeout=self.settings.timeout_seconds
                )
            return self._keys

    def _discover_jwks_url(self) -> str:
        url = self.settings.discovery
        try:
            with urllib.request.urlopen(url, timeout=self.settings.timeout_seconds) as reply:
                document = json.load(reply)
        except (OSError, ValueError) as error:
            raise ProviderUnreachable(f"cannot read {url}: {error}") from error
        jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
        if not isinstance(jwks_uri, str):
            raise ProviderUnreachable(f"{url} names no jwks_uri")
        return jwks_uri

    def verify(self, token: str | None) -> dict[str, Any]:
        """The token's claims; raises :class:`TokenRejected` or :class:`ProviderUnreachable`."""
        if not token:
            raise TokenRejected("no token given")
        try:
            key = self._key_client().get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as error:
            raise ProviderUnreachable(str(error)) from error
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as error:
            raise TokenRejected(str(error)) from error
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=_ALGORITHMS,
                issuer=self.settings.issuer,
                options={"require": ["exp", "iss"], "verify_aud": False},
            )
        except jwt.InvalidTokenError as error:
            raise TokenRejected(str(error)) from error
        self._check_audience(claims)
        if not isinstance(claims.get(self.settings.username_claim), str):
            raise TokenRejected(f"the token has no {self.settings.username_claim} claim")
        return claims

    def _check_audience(self, claims: dict[str, Any]) -> None:
        """Keycloak names the client in ``azp`` and adds audiences to ``aud`` by mapper."""
        wanted = self.settings.audience
        if wanted is None:
            return
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if wanted not in audiences and claims.get("azp") != wanted:
            raise TokenRejected(f"the token is not issued for {wanted!r}")

    def login_of(self, claims: dict[str, Any]) -> str:
        return str(claims[self.settings.username_claim])

    @staticmethod
    def groups_of(claims: dict[str, Any]) -> tuple[str, ...]:
        groups = claims.get("groups")
        return tuple(str(group) for group in groups) if isinstance(groups, list) else ()
