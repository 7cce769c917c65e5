"""The OpenID Connect client of ``/auth/oidc*``, following upstream's use of openid-client.

Discovery at ``OIDC_ISSUER/.well-known/openid-configuration``; the authorization-code
flow without PKCE (``response_type=code``, ``OIDC_SCOPE``, a random ``state``); the code
exchange at the token endpoint with ``client_secret_basic``; ID-token validation (RS256
via the provider's JWKS, ``iss``, ``aud``/``azp``, ``exp``/``iat``, ``nonce``). As in
upstream, only the ID token's claims are used (no userinfo call): the profile mapping
(``OIDC_USERINFO_MAPPING_FIELD_*``) and the groups claim read them.
"""

from __future__ import annotations

import base64
import secrets
import threading
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from ..auth_settings import OidcSettings
from .failures import OidcError, OidcUnavailable
from .store import USER_FIELDS

HTTP_TIMEOUT = 7.0


class OidcProvider:
    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._jwks: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()

    # -- discovery ----------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                url = f"{self.settings.issuer}/.well-known/openid-configuration"
                try:
                    response = httpx.get(url, timeout=HTTP_TIMEOUT)
                    response.raise_for_status()
                    self._metadata = response.json()
                except (httpx.HTTPError, ValueError) as error:
                    raise OidcUnavailable(f"OIDC issuer discovery failed: {error}") from error
                self._jwks = jwt.PyJWKClient(self._metadata["jwks_uri"], timeout=int(HTTP_TIMEOUT))
            return self._metadata

    def end_session_endpoint(self) -> str | None:
        try:
            value = self.metadata().get("end_session_endpoint")
        except OidcUnavailable:
            return None
        return value if isinstance(value, str) else None

    # -- the authorization-code flow ----------------------------------------------------

    def authorization_url(self) -> tuple[str, str]:
        """Where to send the browser, and the ``state`` to keep in the session."""
        state = secrets.token_urlsafe(32)
        params = {
            "client_id": self.settings.client_id,
            "scope": self.settings.scope or "openid",
            "response_type": "code",
            "redirect_uri": self.settings.callback_url,
            "state": state,
        }
        return f"{self.metadata()['authorization_endpoint']}?{urlencode(params)}", state

    def exchange(self, code: str) -> dict[str, Any]:
        """The token endpoint's answer to the authorization code."""
        try:
            response = httpx.post(
                self.metadata()["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": self.settings.callback_url,
                },
                auth=(self.settings.client_id, self.settings.client_secret),
                timeout=HTTP_TIMEOUT,
            )
        except httpx.HTTPError as error:
            raise OidcUnavailable(f"OIDC token endpoint unreachable: {error}") from error
        body = _json(response)
        if response.status_code != 200 or "error" in body:
            raise OidcError(
                f"{body.get('error', response.status_code)} "
                f"({body.get('error_description', 'token request failed')})"
            )
        if not isinstance(body.get("id_token"), str):
            raise OidcError("id_token not present in TokenSet")
        return body

    def id_token_claims(self, id_token: str, nonce: str | None = None) -> dict[str, Any]:
        """The validated claims of an ID token."""
        metadata = self.metadata()
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.PyJWTError as error:
            raise OidcError(f"failed to decode JWT ({error})") from error
        if header.get("alg") != "RS256":
            raise OidcError(
                f"unexpected JWT alg received, expected RS256, got: {header.get('alg')}"
            )
        assert self._jwks is not None
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token).key
        except jwt.PyJWKClientConnectionError as error:
            raise OidcUnavailable(f"OIDC JWKS unreachable: {error}") from error
        except jwt.PyJWTError as error:
            raise OidcError(f"no valid key found in issuer's jwks_uri ({error})") from error
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=["RS256"],
                issuer=metadata.get("issuer", self.settings.issuer),
                options={"verify_aud": False, "require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as error:
            raise OidcError(str(error)) from error
        self._check_audience(claims)
        if (nonce is not None or "nonce" in claims) and claims.get("nonce") != nonce:
            raise OidcError(f"nonce mismatch, expected {nonce}, got: {claims.get('nonce')}")
        return claims

    def _check_audience(self, claims: dict[str, Any]) -> None:
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        client_id = self.settings.client_id
        if client_id not in audiences:
            raise OidcError(f"aud mismatch, expected {client_id}, got: {audience}")
        if len(audiences) > 1 and "azp" not in claims:
            raise OidcError("missing required JWT property azp")
        azp = claims.get("azp")
        allowed = {client_id, *self.settings.additional_authorized_parties}
        if azp is not None and azp not in allowed:
            raise OidcError(f"azp mismatch, got: {azp}")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# -- claims → profile → user lookup ------------------------------------------------------


def _photo(value: Any) -> str:
    if isinstance(value, str) and value:
        return (
            "data:image/jpeg;base64,"
            + base64.b64encode(value.encode("latin-1", "replace")).decode()
        )
    return "no photo"


def profile_from_claims(claims: dict[str, Any], settings: OidcSettings) -> dict[str, Any]:
    """Upstream's ``parseUserInfo``: standard claims, overridden by the configured mapping."""
    user: dict[str, Any] = {
        "id": claims.get("sub") or claims.get("user_id") or "",
        "username": claims.get("preferred_username") or claims.get("name") or "",
        "displayName": claims.get("name") or "",
        "familyName": claims.get("family_name") or "",
        "email": claims.get("email") or "",
        "thumbnailPhoto": claims.get("thumbnailPhoto") or "",
        "provider": claims.get("iss") or "",
        "groups": claims.get("groups") or [],
    }
    for field, claim in settings.userinfo_mapping.items():
        if claim in claims:
            user[field] = claims[claim]
    present = [str(claims[name]) for name in settings.username_fields if name in claims]
    if present:
        user["username"] = "_".join(present)
    if not user["id"]:
        raise OidcError("Could not find sub or user_id in userinfo response")
    user["emails"] = [{"value": user["email"]}] if user["email"] else []
    user["thumbnailPhoto"] = _photo(user["thumbnailPhoto"])
    user["oidcClaims"] = claims
    return user


def user_query(
    profile: dict[str, Any], settings: OidcSettings
) -> tuple[list[tuple[str, Any]], str]:
    """Upstream's ``parseQueryFilter``: which existing user this login is, and how to combine."""
    operator = settings.user_query_operator
    default = [("username", profile.get("username")), ("email", profile.get("email"))]
    joiner = "AND" if operator == "and" else "OR"
    if operator not in ("and", "or") or not settings.user_query_filter:
        return default, joiner
    custom = []
    for mapping in settings.user_query_filter:
        field, _, source = mapping.partition(":")
        if source in profile and field in USER_FIELDS:
            custom.append((field, profile[source]))
    return (custom or default), joiner
