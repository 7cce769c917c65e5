"""How an external login can fail; the routes turn these into upstream's answers."""

from __future__ import annotations


class LdapRejected(Exception):
    """Unknown user or wrong password: passport-ldapauth's 401."""


class LdapUnavailable(Exception):
    """The LDAP server cannot be reached or refused the service bind."""


class LdapMisconfigured(Exception):
    """The directory answered something a correct configuration never gives."""


class OidcError(Exception):
    """The provider or its token did not pass (upstream's 401)."""


class OidcUnavailable(Exception):
    """Discovery, the token endpoint or the JWKS could not be reached."""
