"""ldap.login and oidc.login: people log in through the directory and the OIDC provider.

``ldap.login``: every account that logs in through LDAP posts its username and password
to the backend's ``/api/v3/auth/ldap`` (the backend binds against the directory and maps
its groups); ``whoami`` with the token names the person with their groups. A wrong
password is refused.

``oidc.login``: the whole authorization-code flow over HTTP, as a browser does it: the
backend's ``/api/v3/auth/oidc`` sends the browser to the provider, whose login form takes
the username and password; the provider sends the browser back to the backend's callback
with a code, the backend exchanges it and redirects to its success URL with a SciCat token;
``whoami`` with that token (from a fresh client) shows the groups of the ID token. A wrong
password gets no code.

Groups are judged against the account's directory groups: each must be there, and no
group of another account may be (a mapping that crossed people's groups).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from scicatlive.checks.context import CHECK_TIMEOUT, CheckContext
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.clients.http import describe
from scicatlive.clients.scicat import V3
from scicatlive.clients.target import Account, Login

WRONG_PASSWORD = "scicatlive-check-wrong-password"
CALLBACK_PATH = f"{V3}/auth/oidc/callback"
MAX_HOPS = 12
USERNAME_FIELDS = ("user", "username", "login", "email")
SKIPPED_INPUTS = ("submit", "button", "password", "checkbox", "radio", "reset", "image")


def _accounts(ctx: CheckContext, login: Login, how: str) -> list[tuple[str, Account]]:
    found = [(name, account) for name, account in ctx.target.accounts.items() if login in account.logins]
    if not found:
        raise CheckSkipped(f"no account logs in through {how} (credentials file: `logins: [{login}]`, or `ldap_only: true`)")
    return found


def check_identity(ctx: CheckContext, token: str, username: str, account: Account, how: str) -> None:
    """``whoami`` with a token from a fresh client: the person, with their groups and no one else's."""
    me = ctx.scicat().as_token(token).expect(f"whoami after the {how} login of {username}", "GET", f"{V3}/auth/whoami", status=(200,))
    found = (me or {}).get("username")
    if found != username:
        raise CheckFailed(f"whoami after the {how} login of {username}: expected username {username!r}, found {found!r}")
    current = set((me or {}).get("currentGroups") or [])
    expected = set(account.directory_groups)
    missing = sorted(expected - current)
    others = {g for other in ctx.target.accounts.values() for g in other.directory_groups} - expected
    crossed = sorted(current & others)
    if missing or crossed:
        raise CheckFailed(f"whoami after the {how} login of {username}: expected groups {sorted(expected)}, found "
                          f"{sorted(current)}" + (f" (missing {missing})" if missing else "") + (f" (not theirs: {crossed})" if crossed else ""))  # fmt: skip


# -- ldap.login --------------------------------------------------------------------------------


def ldap_login(ctx: CheckContext) -> str:
    accounts = _accounts(ctx, "ldap", "LDAP")
    backend = ctx.scicat()
    problems: list[str] = []
    for username, account in accounts:
        answer = backend.send(f"LDAP login of {username}", "POST", f"{V3}/auth/ldap",
                              body={"username": username, "password": account.password.get_secret_value()})  # fmt: skip
        token = _token(answer)
        if token is None:
            problems.append(f"LDAP login of {username}: expected 201 with an access token, got {describe(answer)}")
            continue
        try:
            check_identity(ctx, token, username, account, "LDAP")
        except CheckFailed as error:
            problems.append(error.message)
    first = accounts[0][0]
    wrong = backend.send(f"LDAP login of {first} with a wrong password", "POST", f"{V3}/auth/ldap",
                         body={"username": first, "password": WRONG_PASSWORD})  # fmt: skip
    if wrong.status_code != 401:
        problems.append(f"LDAP login of {first} with a wrong password: expected 401, got {describe(wrong)}")
    if problems:
        raise CheckFailed("; ".join(problems))
    names = ", ".join(name for name, _ in accounts)
    return f"{len(accounts)} accounts log in through LDAP with their groups ({names}); a wrong password is refused"


def _token(answer: httpx.Response) -> str | None:
    if answer.status_code not in (200, 201):
        return None
    try:
        token = answer.json().get("access_token")
    except (ValueError, AttributeError):
        return None
    return token if isinstance(token, str) else None


# -- oidc.login --------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page: action, method and every input's name, type and value."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": values.get("action", ""), "method": values.get("method", "get").lower(), "inputs": []})
        elif tag in ("input", "button") and self.forms and values.get("name"):
            self.forms[-1]["inputs"].append((values["name"], values.get("type", "text").lower(), values.get("value", "")))


def _login_form(page: httpx.Response) -> dict[str, Any] | None:
    parser = _Forms()
    parser.feed(page.text)
    return next((f for f in parser.forms if any(kind == "password" for _, kind, _ in f["inputs"])), None)


def _fill(form: dict[str, Any], username: str, password: str) -> dict[str, str]:
    # What a browser sends without a click: no buttons, and no box left unticked.
    fields = {name: value for name, kind, value in form["inputs"] if kind not in SKIPPED_INPUTS}
    texts = [name for name, kind, _ in form["inputs"] if kind in ("text", "email")]
    user_field = next((n for n in USERNAME_FIELDS if n in fields), texts[0] if texts else None)
    if user_field is None:
        raise CheckFailed(f"the provider's login form has no username field (inputs: {[n for n, _, _ in form['inputs']]})")
    fields[user_field] = username
    for name, kind, _ in form["inputs"]:
        if kind == "password":
            fields[name] = password
    return fields


@contextmanager
def _browser(ctx: CheckContext) -> Iterator[httpx.Client]:
    """A client that keeps cookies and follows no redirect by itself, as the flow must see each hop."""
    client = httpx.Client(timeout=CHECK_TIMEOUT, transport=ctx.transport, follow_redirects=False)
    try:
        yield client
    finally:
        client.close()


def _hop(browser: httpx.Client, method: str, url: str, operation: str, **kwargs: Any) -> httpx.Response:
    try:
        return browser.request(method, url, **kwargs)
    except httpx.TransportError as error:
        raise CheckFailed(f"{operation}: {url} did not answer ({type(error).__name__}: {error})") from None


def _code_flow(ctx: CheckContext, username: str, password: str) -> str | None:
    """A browser's whole login; the SciCat token of the success redirect, or None when the
    provider shows its login form again (a refused password)."""
    backend = ctx.target.backend_url
    start = f"{backend}{V3}/auth/oidc"
    referer = f"{ctx.target.frontend_url or backend}/login"
    with _browser(ctx) as browser:
        answer = _hop(browser, "GET", start, f"start the OIDC login of {username}", headers={"Referer": referer})
        if answer.status_code not in (302, 303):
            raise CheckFailed(f"GET {start}: expected a redirect to the provider, got {describe(answer)}")
        location = urljoin(start, answer.headers["location"])
        issuer = ctx.target.oidc_issuer
        if issuer and not location.startswith(issuer):
            raise CheckFailed(f"GET {start}: expected a redirect to the provider {issuer}, found {location[:160]}")
        submitted = False
        for _ in range(MAX_HOPS):
            if urlsplit(location).path.endswith(CALLBACK_PATH):
                return _callback(browser, location, username)
            answer = _hop(browser, "GET", location, f"OIDC login of {username}")
            if answer.status_code in (301, 302, 303, 307):
                location = urljoin(location, answer.headers["location"])
                continue
            form = _login_form(answer) if answer.status_code in (200, 401) else None
            if form is None:
                raise CheckFailed(f"OIDC login of {username} at {location[:160]}: expected the provider's login form or a redirect, "
                                  f"got {answer.status_code}")  # fmt: skip
            if submitted:
                return None
            submitted = True
            action = urljoin(location, form["action"] or location)
            answer = _hop(browser, "POST", action, f"submit the login form for {username}", data=_fill(form, username, password))
            if answer.status_code not in (301, 302, 303, 307):
                if _login_form(answer) is not None:
                    return None
                raise CheckFailed(f"OIDC login of {username}: after the login form, expected a redirect back to "
                                  f"the backend, got {answer.status_code}")  # fmt: skip
            location = urljoin(action, answer.headers["location"])
        raise CheckFailed(f"OIDC login of {username}: no way back to {CALLBACK_PATH} after {MAX_HOPS} redirects")


def _callback(browser: httpx.Client, location: str, username: str) -> str:
    query = parse_qs(urlsplit(location).query)
    if "code" not in query:
        raise CheckFailed(f"OIDC login of {username}: expected a code in the callback, found {sorted(query)} ({query.get('error')})")
    answer = _hop(browser, "GET", location, f"OIDC callback of {username}")
    if answer.status_code not in (302, 303):
        raise CheckFailed(f"OIDC callback of {username}: expected a redirect to the success URL with a token, got {describe(answer)}")
    target = parse_qs(urlsplit(answer.headers["location"]).query)
    tokens = target.get("access-token")
    if not tokens:
        raise CheckFailed(f"OIDC callback of {username}: expected access-token in the success redirect, found {sorted(target)}")
    return tokens[0]


def oidc_login(ctx: CheckContext) -> str:
    accounts = _accounts(ctx, "oidc", "OpenID Connect")
    problems: list[str] = []
    for username, account in accounts:
        try:
            token = _code_flow(ctx, username, account.password.get_secret_value())
            if token is None:
                raise CheckFailed(f"OIDC login of {username}: the provider refused the password (it shows its login form again)")
            check_identity(ctx, token, username, account, "OIDC")
        except CheckFailed as error:
            problems.append(error.message)
    first = accounts[0][0]
    try:
        if _code_flow(ctx, first, WRONG_PASSWORD) is not None:
            problems.append(f"OIDC login of {first} with a wrong password: expected the login form again, the backend issued a token")
    except CheckFailed as error:
        problems.append(f"with a wrong password: {error.message}")
    if problems:
        raise CheckFailed("; ".join(problems))
    names = ", ".join(name for name, _ in accounts)
    return (f"{len(accounts)} accounts log in through the OIDC code flow with the groups of their ID token "
            f"({names}); a wrong password gets no code")


CHECKS = [
    Check("ldap.login", "every LDAP account logs in through /auth/ldap; whoami shows the directory's groups; "
          "a wrong password is refused", ldap_login, needs=frozenset({"ldap"})),
    Check("oidc.login", "every OIDC account completes the authorization-code flow over HTTP; whoami shows the "
          "ID token's groups; a wrong password gets no code", oidc_login, needs=frozenset({"oidc"})),
]  # fmt: skip
