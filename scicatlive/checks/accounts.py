"""accounts.login: every functional account logs in, and ``whoami`` shows its groups.

People of the directory only (``ldap_only``: no ``local`` login) are left to ldap.login
and oidc.login: they have no functional account to log in with.
"""

from __future__ import annotations

from scicatlive.checks.context import CheckContext
from scicatlive.checks.model import Check, CheckFailed, CheckSkipped
from scicatlive.clients.ispyb import ISPYB_API
from scicatlive.clients.scicat import V3
from scicatlive.errors import ServiceError


def accounts_login(ctx: CheckContext) -> str:
    if not ctx.target.accounts:
        raise CheckSkipped("no accounts given (--credentials FILE or --username/--password)")
    accounts = {name: a for name, a in ctx.target.accounts.items() if "local" in a.logins}
    if not accounts:
        raise CheckSkipped(f"no functional account: {', '.join(ctx.target.accounts)} log in through LDAP/OIDC only")
    problems: list[str] = []
    for username, account in accounts.items():
        try:
            _scicat_account(ctx, username, account.groups)
            if ctx.target.ispyb_url:
                _ispyb_account(ctx, username)
        except (CheckFailed, ServiceError) as error:
            problems.append(error.message)
    if problems:
        raise CheckFailed("; ".join(problems))
    where = "SciCat and ISPyB" if ctx.target.ispyb_url else "SciCat"
    return f"{len(accounts)} accounts log in to {where} with their groups ({', '.join(accounts)})"


def _scicat_account(ctx: CheckContext, username: str, groups: tuple[str, ...]) -> None:
    me = ctx.scicat(username).expect(f"whoami as {username}", "GET", f"{V3}/auth/whoami", status=(200,))
    found_name = (me or {}).get("username")
    if found_name != username:
        raise CheckFailed(f"whoami as {username}: expected username {username!r}, found {found_name!r}")
    current = set((me or {}).get("currentGroups") or [])
    missing = [g for g in groups if g not in current]
    if missing:
        raise CheckFailed(
            f"whoami as {username}: expected groups {sorted(groups)}, found {sorted(current)} (missing {missing})"
        )


def _ispyb_account(ctx: CheckContext, login: str) -> None:
    me = ctx.ispyb(login).expect(f"ISPyB user/current as {login}", "GET", f"{ISPYB_API}/user/current", status=(200,))
    found = (me or {}).get("login")
    if found != login:
        raise CheckFailed(f"ISPyB user/current as {login}: expected login {login!r}, found {found!r}")


CHECKS = [
    Check("accounts.login", "each functional account logs in (SciCat, and ISPyB when present); whoami shows its groups", accounts_login),
]
