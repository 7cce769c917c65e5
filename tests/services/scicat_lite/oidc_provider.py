"""A minimal OpenID provider for testing scicat-lite's client side of the code flow.

It is a test double, not a real provider: the user is always "logged in", the
authorization endpoint redirects straight back with a one-time code, and the token
endpoint answers with an RS256 ID token signed by a key published at ``jwks_uri``.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import JSONResponse, RedirectResponse

CLIENT_ID = "scicat-lite"
CLIENT_SECRET = "client-secret"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Provider:
    issuer: str = ""
    claims: dict[str, Any] = field(default_factory=dict)
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def id_token(self, **overrides: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            **self.claims,
            **overrides,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": "k1"})

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/logout",
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            public = self.key.public_key().public_numbers()
            key = {"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256"}
            return {"keys": [{**key, "n": _b64(public.n), "e": _b64(public.e)}]}

        @app.get("/authorize")
        def authorize(request: Request) -> RedirectResponse:
            params = dict(request.query_params)
            self.requests.append(params)
            code = secrets.token_urlsafe(16)
            self.codes[code] = params
            query = urlencode({"code": code, "state": params.get("state", "")})
            return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

        @app.post("/token", response_model=None)
        def token(
            grant_type: str = Form(),
            code: str = Form(),
            redirect_uri: str = Form(),
            authorization: str = Header(""),
        ) -> dict[str, Any] | JSONResponse:
            expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if authorization != f"Basic {expected}":
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            request = self.codes.pop(code, None)
            if grant_type != "authorization_code" or request is None:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            if redirect_uri != request["redirect_uri"]:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return {"access_token": "at", "token_type": "Bearer", "id_token": self.id_token()}

        return app
