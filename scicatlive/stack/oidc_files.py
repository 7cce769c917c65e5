"""Generated files of the `oidc` feature: a provider with one client, the SciCat backend.

Both providers hand out what backend v5.2.1 reads from the ID token: `sub`,
`preferred_username`, `email`, `name` and the groups claim `accessGroups` (a list of
group names), to the confidential client `scicat` whose only redirect URI is the
backend's `/api/v3/auth/oidc/callback`, without PKCE, as SciCatLive's realm does.

- `lemonldap-ng-config`: LemonLDAP::NG's configuration (the `lite` provider). It
  authenticates against the stack's LDAP, so its people and groups are the directory's.
- `keycloak-realm`: SciCatLive's `facility` realm, with the profile's people as realm
  users (the `full` provider).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scicatlive.catalogue.model import Role
from scicatlive.errors import ConfigError
from scicatlive.stack.directory_files import (
    BASE_DN,
    KEYCLOAK_REALM,
    OIDC_CALLBACK_PATH,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_GROUPS_CLAIM,
    SERVICE_DN,
    SERVICE_SECRET,
    directory,
)

if TYPE_CHECKING:
    from scicatlive.stack.generators import GeneratorContext

LLNG_SERVICE = "oidc"
LDAP_SERVICE = "ldap"


def _public_url(ctx: GeneratorContext, service: str) -> str:
    url = ctx.stack.public_url(service)
    if url is None:
        raise ConfigError(f"services.{service}", "an OIDC provider needs its HTTP port published")
    return url


def redirect_uris(ctx: GeneratorContext) -> list[str]:
    """The backend's OIDC callback as a browser reaches it: the client's only redirect URI."""
    uris = []
    for backend in ctx.stack.by_role(Role.BACKEND):
        url = ctx.stack.public_url(backend.name)
        if url is not None:
            uris.append(url + OIDC_CALLBACK_PATH)
    return uris


def _json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


def lemonldap_ng_config(ctx: GeneratorContext) -> str:
    ctx.secrets.ensure([SERVICE_SECRET, OIDC_CLIENT_SECRET])
    portal = _public_url(ctx, LLNG_SERVICE)
    ldap = ctx.stack.services.get(LDAP_SERVICE)
    if ldap is None or not ldap.ports:
        raise ConfigError(f"services.{LLNG_SERVICE}", "LemonLDAP::NG authenticates against the ldap service")
    storage = "/var/lib/lemonldap-ng"
    config: dict[str, Any] = {
        "cfgNum": 1,
        "cfgVersion": "2.16.1",
        "cfgAuthor": "scicatlive",
        "cfgLog": "generated from the profile",
        "portal": portal + "/",
        # The SSO cookie belongs to the portal's own host (a browser refuses any other).
        "domain": urlsplit(portal).hostname,
        "securedCookie": 0,
        "cookieName": "lemonldap",
        "timeout": 72000,
        "globalStorage": "Apache::Session::File",
        "globalStorageOptions": {
            "Directory": f"{storage}/sessions",
            "LockDirectory": f"{storage}/sessions/lock",
            "generateModule": "Lemonldap::NG::Common::Apache::Session::Generate::SHA256",
        },
        "persistentStorage": "Apache::Session::File",
        "persistentStorageOptions": {
            "Directory": f"{storage}/psessions", "LockDirectory": f"{storage}/psessions/lock",
        },
        "localSessionStorage": "Cache::FileCache",
        "localSessionStorageOptions": {
            "cache_depth": 3, "cache_root": f"{storage}/cache", "default_expires_in": 600,
            "directory_umask": "007", "namespace": "lemonldap-ng-sessions",
        },
        "notification": 0,
        "portalSkin": "bootstrap",
        "portalDisplayAppslist": 0,
        "locationRules": {},
        "authentication": "LDAP",
        "userDB": "Same",
        "passwordDB": "Null",
        "registerDB": "Null",
        "ldapServer": f"ldap://{ldap.name}:{ldap.ports[0].container}",
        "ldapBase": f"ou=users,{BASE_DN}",
        "managerDn": SERVICE_DN,
        "managerPassword": ctx.secrets[SERVICE_SECRET],
        "AuthLDAPFilter": "(&(uid=$user)(objectClass=inetOrgPerson))",
        "LDAPFilter": "(&(uid=$user)(objectClass=inetOrgPerson))",
        "ldapExportedVars": {"uid": "uid", "mail": "mail", "cn": "cn"},
        "ldapGroupBase": f"ou=groups,{BASE_DN}",
        "ldapGroupObjectClass": "groupOfUniqueNames",
        "ldapGroupAttributeName": "uniqueMember",
        "ldapGroupAttributeNameUser": "dn",
        "ldapGroupAttributeNameSearch": "cn",
        "exportedVars": {"uid": "uid", "mail": "mail", "cn": "cn"},
        "whatToTrace": "uid",
        "issuerDBOpenIDConnectActivation": 1,
        "issuerDBOpenIDConnectPath": "^/oauth2/",
        "oidcServiceMetaDataIssuer": portal,
        "oidcServiceAllowAuthorizationCodeFlow": 1,
        "oidcServiceAllowImplicitFlow": 0,
        "oidcServiceAllowHybridFlow": 0,
        "oidcServiceIgnoreScopeForClaims": 1,
        "oidcRPMetaDataOptions": {
            OIDC_CLIENT_ID: {
                "oidcRPMetaDataOptionsClientID": OIDC_CLIENT_ID,
                "oidcRPMetaDataOptionsClientSecret": ctx.secrets[OIDC_CLIENT_SECRET],
                "oidcRPMetaDataOptionsDisplayName": "SciCat",
                "oidcRPMetaDataOptionsRedirectUris": " ".join(redirect_uris(ctx)),
                "oidcRPMetaDataOptionsPublic": 0,
                "oidcRPMetaDataOptionsRequirePKCE": 0,
                "oidcRPMetaDataOptionsBypassConsent": 1,
                "oidcRPMetaDataOptionsIDTokenSignAlg": "RS256",
                # backend v5.2.1 reads the claims from the ID token, not from userinfo.
                "oidcRPMetaDataOptionsIDTokenForceClaims": 1,
                "oidcRPMetaDataOptionsAccessTokenExpiration": 300,
                "oidcRPMetaDataOptionsIDTokenExpiration": 3600,
                # Keycloak's "direct access grants": a test or a script gets tokens headless.
                "oidcRPMetaDataOptionsAllowPasswordGrant": 1,
            }
        },
        "oidcRPMetaDataExportedVars": {
            OIDC_CLIENT_ID: {
                "preferred_username": "uid",
                "email": "mail",
                "name": "cn",
                # LemonLDAP::NG joins the LDAP groups' cn into `groups`; `always` makes it a list.
                OIDC_GROUPS_CLAIM: "groups;string;always",
            }
        },
        "oidcRPMetaDataOptionsExtraClaims": {OIDC_CLIENT_ID: {"groups": OIDC_GROUPS_CLAIM}},
    }
    return _json(config)


def keycloak_realm(ctx: GeneratorContext) -> str:
    """SciCatLive's `facility` realm, with the profile's people and a fresh client secret."""
    ctx.secrets.ensure([OIDC_CLIENT_SECRET])
    found = directory(ctx)
    groups = sorted({g for p in found.people for g in p.account.groups})
    public_urls = [u for s in ctx.stack.services if (u := ctx.stack.public_url(s))]
    realm = {
        "realm": KEYCLOAK_REALM,
        "enabled": True,
        "sslRequired": "external",
        "accessTokenLifespan": 300,
        "defaultSignatureAlgorithm": "RS256",
        "groups": [{"name": g, "path": f"/{g}"} for g in groups],
        "users": [
            {
                "username": p.account.username,
                "email": p.account.email,
                "emailVerified": True,
                # Keycloak's user profile asks for both names before a first login without them.
                "firstName": p.account.username,
                "lastName": "(scicatlive)",
                "enabled": True,
                "credentials": [{"type": "password", "value": p.password, "temporary": False}],
                "groups": [f"/{g}" for g in p.account.groups],
            }
            for p in found.people
        ],
        "clients": [
            {
                "clientId": OIDC_CLIENT_ID,
                "name": "SciCat",
                "enabled": True,
                "protocol": "openid-connect",
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                "secret": ctx.secrets[OIDC_CLIENT_SECRET],
                "redirectUris": redirect_uris(ctx),
                "webOrigins": public_urls,
                "standardFlowEnabled": True,
                "directAccessGrantsEnabled": True,
                "implicitFlowEnabled": False,
                "serviceAccountsEnabled": False,
                "frontchannelLogout": True,
                "attributes": {"post.logout.redirect.uris": "+"},
                "defaultClientScopes": ["web-origins", "acr", "roles", "profile", "basic", "email"],
                "protocolMappers": [
                    {
                        "name": OIDC_GROUPS_CLAIM,
                        "protocol": "openid-connect",
                        "protocolMapper": "oidc-group-membership-mapper",
                        "config": {
                            "full.path": "false",
                            "id.token.claim": "true",
                            "access.token.claim": "true",
                            "userinfo.token.claim": "true",
                            "introspection.token.claim": "true",
                            "claim.name": OIDC_GROUPS_CLAIM,
                        },
                    }
                ],
            }
        ],
    }
    return _json(realm)
