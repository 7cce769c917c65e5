"""Who is calling: the token's claims plus the groups upstream's JWT strategy looks up."""

from __future__ import annotations

from typing import Any

from ..auth import User
from ..pool import Database
from .store import GroupCache, token_groups


class Callers:
    def __init__(self, database: Database, cache: GroupCache) -> None:
        self._database = database
        self.cache = cache

    def groups(self, user_id: str) -> tuple[str, ...]:
        groups = self.cache.get(user_id)
        if groups is None:
            with self._database.connection() as conn:
                groups = token_groups(conn, user_id)
            self.cache.put(user_id, groups)
        return groups

    def from_claims(self, claims: dict[str, Any]) -> User:
        """Tokens without ``_id`` (``POST /users/jwt``) still authenticate, with no groups."""
        user_id = claims.get("_id")
        groups = self.groups(user_id) if isinstance(user_id, str) and user_id else ()
        return User(
            id=user_id if isinstance(user_id, str) else "",
            username=str(claims.get("username") or ""),
            email=str(claims.get("email") or ""),
            groups=groups,
            auth_strategy=str(claims.get("authStrategy") or ""),
        )
