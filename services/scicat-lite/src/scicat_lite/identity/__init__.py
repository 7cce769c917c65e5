"""Users, their identities and settings, and every way of logging in (local, LDAP, OIDC)."""
