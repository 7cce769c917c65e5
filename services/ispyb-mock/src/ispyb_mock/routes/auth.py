from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import select

from ..deps import Db, Issuer, User
from ..errors import Unauthorized
from ..models import Person
from ..schemas.auth import CurrentUserOut, Login, TokenResponse
from ..users import Accounts

router = APIRouter(tags=["auth"])


@router.post("/auth/login", status_code=201, response_model=TokenResponse)
def login(body: Login, request: Request, db: Db, issuer: Issuer) -> TokenResponse:
    """Exchange login and password (from the users file) for a bearer token."""
    accounts: Accounts = request.app.state.accounts
    account = accounts.authenticate(body.login, body.password)
    if account is None:
        raise Unauthorized("Could not verify", "password")
    person_id = db.scalar(select(Person.personId).where(Person.login == account.login))
    token = issuer.issue(account.login, account.permissions, account.groups, person_id)
    return TokenResponse(login=account.login, token=token, permissions=list(account.permissions))


@router.get("/user/current", response_model=CurrentUserOut)
def current_user(user: User, db: Db) -> CurrentUserOut:
    person = db.scalar(select(Person).where(Person.login == user.login))
    return CurrentUserOut(
        login=user.login,
        personId=person.personId if person else None,
        givenName=person.givenName if person else None,
        familyName=person.familyName if person else None,
        Permissions=sorted(user.permissions),
        groups=list(user.groups),
    )
