"""Who is looking: the signed session cookie and the backend token it holds.

The cookie is signed by Starlette's ``SessionMiddleware`` (itsdangerous) with
``SESSION_SECRET``; it is HttpOnly, SameSite=Lax, and has no Max-Age, so it
lives as long as the browser session. The backend's token expiry is kept too:
an expired token is dropped before it is sent.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

from starlette.requests import Request

from .models import LoginReply

TOKEN = "token"
USERNAME = "username"
EXPIRES = "expires_at"
CSRF = "csrf"
USER_ID = "user_id"
GROUPS = "groups"
EMAIL = "email"
PREFS = "prefs"
FLASH = "flash"
DEFAULT_TOKEN_SECONDS = 3600.0
MAX_GROUPS = 64


@dataclass(frozen=True)
class Viewer:
    """The visitor: signed in (with a token) or anonymous (sees published data only).

    ``groups`` are the access groups of the user's identity, read once at login: they
    decide which editing controls a page shows (the backend decides what is allowed).
    """

    username: str | None = None
    token: str | None = None
    expired: bool = False
    user_id: str | None = None
    groups: tuple[str, ...] = ()
    email: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.token is not None


def current_viewer(request: Request) -> Viewer:
    session = request.session
    token = session.get(TOKEN)
    if not isinstance(token, str) or not token:
        return Viewer()
    expires = session.get(EXPIRES)
    if isinstance(expires, (int, float)) and expires <= time.time():
        sign_out(request)
        return Viewer(expired=True)
    username = session.get(USERNAME)
    user_id = session.get(USER_ID)
    email = session.get(EMAIL)
    groups = session.get(GROUPS)
    return Viewer(
        username=username if isinstance(username, str) else None,
        token=token,
        user_id=user_id if isinstance(user_id, str) else None,
        groups=tuple(g for g in groups if isinstance(g, str)) if isinstance(groups, list) else (),
        email=email if isinstance(email, str) else None,
    )


def sign_in(request: Request, reply: LoginReply, username: str) -> None:
    lifetime = (
        reply.expires_in if reply.expires_in and reply.expires_in > 0 else DEFAULT_TOKEN_SECONDS
    )
    request.session.clear()
    user_name = reply.user.get("username") if isinstance(reply.user, dict) else None
    user_id = reply.userId or (reply.user.get("id") if isinstance(reply.user, dict) else None)
    request.session.update(
        {
            TOKEN: reply.token,
            USERNAME: user_name if isinstance(user_name, str) and user_name else username,
            EXPIRES: time.time() + lifetime,
            CSRF: secrets.token_urlsafe(24),
        }
    )
    if isinstance(user_id, str) and user_id:
        request.session[USER_ID] = user_id


def remember_identity(request: Request, groups: list[str], email: str | None) -> None:
    """The user's access groups (and e-mail, to recognise shares with them) from the backend."""
    request.session[GROUPS] = [g for g in groups if isinstance(g, str)][:MAX_GROUPS]
    if email:
        request.session[EMAIL] = email


def flash(request: Request, message: str) -> None:
    """A one-line notice shown on the next page (after a form's redirect)."""
    request.session[FLASH] = message[:300]


def take_flash(request: Request) -> str:
    message = request.session.pop(FLASH, None) if FLASH in request.session else None
    return message if isinstance(message, str) else ""


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session[CSRF] = token
    return token


def csrf_valid(request: Request, submitted: str | None) -> bool:
    expected = request.session.get(CSRF)
    return (
        isinstance(expected, str)
        and bool(submitted)
        and hmac.compare_digest(expected, submitted or "")
    )


def safe_next(target: str | None, default: str = "/datasets") -> str:
    """Only same-site paths: ``/x`` yes, ``//host`` or ``https://host`` no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
