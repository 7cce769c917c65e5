"""The ``keycloak`` login plugin: an access token of the stack's OpenID Connect provider.

A JWT access token (Keycloak's) is checked here, as a resource server does: the
signature against the provider's keys, the issuer, the audience and the expiry. An
opaque one (LemonLDAP::NG's, the stack's own provider) is shown to the provider's
userinfo endpoint, which is all py-ISPyB's plugin ever does. Both endpoints come from
the discovery document at ``OIDC_ISSUER``; the issuer the tokens carry is the one the
document names, which may be the provider's public name rather than the one the
service reaches it by.
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
        self._document: dict[str, Any] | None = None

    def export_config(self) -> dict[str, Any]:
        """What ``GET /auth/config`` shows of the plugin (no secrets): the issuer as the
        tokens carry it once the provider was discovered."""
        issuer = (self._document or {}).get("issuer") or self.settings.issuer
        return {"issuer": issuer, "clientId": self.settings.audience}

    def _discovered(self) -> dict[str, Any]:
        """The provider's discovery document (read once; an empty one with OIDC_JWKS_URL)."""
        with self._lock:
            if self._document is None:
                if self.settings.jwks_url:
                    self._document = {"jwks_uri": self.settings.jwks_url}
                else:
                    self._document = self._fetch(self.settings.discovery)
            return self._document

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(url, timeout=self.settings.timeout_seconds) as reply:
                document = json.load(reply)
        except (OSError, ValueError) as error:
            raise ProviderUnreachable(f"cannot read {url}: {error}") from error
        if not isinstance(document, dict) or not isinstance(document.get("jwks_uri"), str):
            raise ProviderUnreachable(f"{url} is no OpenID discovery document (no jwks_uri)")
        return document

    def _key_client(self) -> jwt.PyJWKClient:
        url = str(self._discovered()["jwks_uri"])
        with self._lock:
            if self._keys is None:
                self._keys = jwt.PyJWKClient(
                    url, cache_keys=True, timeout=self.settings.timeout_seconds
                )
            return self._keys

    def _issuers(self) -> list[str]:
        """The ``iss`` accepted: the document's issuer (else OIDC_ISSUER), with or without
        a trailing slash, as providers differ there."""
        issuer = str(self._discovered().get("issuer") or self.settings.issuer).rstrip("/")
        return [issuer, issuer + "/"]

    def verify(self, token: str | None) -> dict[str, Any]:
        """The token's claims; raises :class:`TokenRejected` or :class:`ProviderUnreachable`."""
        if not token:
            raise TokenRejected("no token given")
        claims = self._jwt_claims(token) if token.count(".") == 2 else self._userinfo(token)
        if not isinstance(claims.get(self.settings.username_claim), str):
            raise TokenRejected(f"the token has no {self.settings.username_claim} claim")
        return claims

    def _userinfo(self, token: str) -> dict[str, Any]:
        """An opaque token: valid when the provider's userinfo endpoint accepts it."""
        endpoint = self._discovered().get("userinfo_endpoint")
        if not isinstance(endpoint, str):
            raise TokenRejected("an opaque token, and the provider has no userinfo endpoint")
        request = urllib.request.Request(endpoint, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_seconds) as reply:
                claims = json.load(reply)
        except urllib.error.HTTPError as error:
            if error.code in (400, 401, 403):
                raise TokenRejected(f"the provider refused the token ({error.code})") from error
            raise ProviderUnreachable(f"{endpoint} answered {error.code}") from error
        except (OSError, ValueError) as error:
            raise ProviderUnreachable(f"cannot read {endpoint}: {error}") from error
        if not isinstance(claims, dict):
            raise TokenRejected("the provider's userinfo is no JSON object")
        return claims

    def _jwt_claims(self, token: str) -> dict[str, Any]:
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
                issuer=self._issuers(),
                options={"require": ["exp", "iss"], "verify_aud": False},
            )
        except jwt.InvalidTokenError as error:
            raise TokenRejected(str(error)) from error
        self._check_audience(claims)
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
