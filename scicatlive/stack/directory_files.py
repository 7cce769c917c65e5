"""Generated files of the `ldap` and `oidc` features: the profile's accounts as a directory.

Every account of the profile (`ldap_only` ones too) is a person of the directory,
with its password and its groups. The layout is glauth's, as SciCatLive serves it,
so the same DNs work against slapd and glauth:

    cn=<user>,ou=<first group>,ou=users,dc=facility   (uid, mail, displayName)
    ou=<group>,ou=groups,dc=facility                  (cn, uniqueMember: user DNs)
    cn=scicatlive-svc,ou=svc-acc,dc=facility          the backend's search account
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scicatlive.profiles.model import Account

if TYPE_CHECKING:
    from scicatlive.stack.generators import GeneratorContext

BASE_DN = "dc=facility"
SERVICE_ACCOUNT = "scicatlive-svc"
SERVICE_GROUP = "svc-acc"
SERVICE_DN = f"cn={SERVICE_ACCOUNT},ou={SERVICE_GROUP},{BASE_DN}"
SERVICE_SECRET = "ldap_bind_password"
NO_GROUP = "people"  # the primary group of an account that has none
FIRST_UID, FIRST_GID = 5001, 5501

OIDC_CLIENT_ID = "scicat"
OIDC_CLIENT_SECRET = "oidc_client_secret"
OIDC_GROUPS_CLAIM = "accessGroups"
OIDC_CALLBACK_PATH = "/api/v3/auth/oidc/callback"
KEYCLOAK_REALM = "facility"


@dataclass(frozen=True)
class Person:
    account: Account
    password: str
    uid_number: int
    primary_group: str

    @property
    def dn(self) -> str:
        return f"cn={escape_dn(self.account.username)},ou={escape_dn(self.primary_group)},ou=users,{BASE_DN}"


@dataclass(frozen=True)
class Directory:
    people: tuple[Person, ...]
    groups: dict[str, int]  # name -> gidNumber

    def members(self, group: str) -> list[Person]:
        return [p for p in self.people if group in p.account.groups]


def directory(ctx: GeneratorContext) -> Directory:
    accounts = sorted(ctx.stack.accounts, key=lambda a: a.username)
    names = sorted({g for a in accounts for g in a.groups} | {_primary(a) for a in accounts})
    groups = {name: FIRST_GID + index for index, name in enumerate(names)}
    people = tuple(
        Person(account, ctx.password(account), FIRST_UID + index, _primary(account))
        for index, account in enumerate(accounts)
    )
    return Directory(people, groups)


def _primary(account: Account) -> str:
    return account.groups[0] if account.groups else NO_GROUP


def escape_dn(value: str) -> str:
    """An RDN value escaped as RFC 4514 says."""
    escaped = "".join(f"\\{c}" if c in ',+"\\<>;=' else c for c in value)
    if escaped.startswith((" ", "#")):
        escaped = "\\" + escaped
    return escaped[:-1] + "\\ " if escaped.endswith(" ") else escaped


def _ldif_line(attribute: str, value: str) -> str:
    safe = value.isascii() and value.isprintable() and not value.startswith((" ", ":", "<"))
    if safe and not value.endswith(" "):
        return f"{attribute}: {value}\n"
    return f"{attribute}:: {base64.b64encode(value.encode('utf-8')).decode()}\n"


def _entry(dn: str, attributes: list[tuple[str, str]]) -> str:
    return _ldif_line("dn", dn) + "".join(_ldif_line(k, v) for k, v in attributes) + "\n"


def ssha(password: str, salt: bytes) -> str:
    """OpenLDAP's {SSHA}: base64(sha1(password + salt) + salt)."""
    digest = hashlib.sha1(password.encode("utf-8") + salt).digest()
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def _stable_salt(*parts: str) -> bytes:
    # Derived from the secret, so the file is the same from one `up` to the next.
    return hashlib.sha256("\0".join(parts).encode()).digest()[:8]


def ldap_directory_ldif(ctx: GeneratorContext) -> str:
    """The whole directory for slapd's `slapadd`."""
    ctx.secrets.ensure([SERVICE_SECRET])
    found = directory(ctx)
    parts = [
        _entry(BASE_DN, [("objectClass", "top"), ("objectClass", "dcObject"),
                         ("objectClass", "organization"), ("dc", "facility"), ("o", "facility")]),
        *(_entry(f"ou={ou},{BASE_DN}", [("objectClass", "organizationalUnit"), ("ou", ou)])
          for ou in ("users", "groups", SERVICE_GROUP)),
    ]
    service_password = ctx.secrets[SERVICE_SECRET]
    parts.append(_entry(SERVICE_DN, [
        ("objectClass", "organizationalRole"), ("objectClass", "simpleSecurityObject"),
        ("cn", SERVICE_ACCOUNT),
        ("userPassword", ssha(service_password, _stable_salt(SERVICE_ACCOUNT, service_password))),
    ]))
    for group in sorted({p.primary_group for p in found.people}):
        parts.append(_entry(f"ou={escape_dn(group)},ou=users,{BASE_DN}",
                            [("objectClass", "organizationalUnit"), ("ou", group)]))
    for person in found.people:
        account = person.account
        parts.append(_entry(person.dn, [
            ("objectClass", "inetOrgPerson"), ("objectClass", "posixAccount"),
            ("cn", account.username), ("sn", account.username), ("uid", account.username),
            ("mail", account.email), ("displayName", account.username),
            ("uidNumber", str(person.uid_number)),
            ("gidNumber", str(found.groups[person.primary_group])),
            ("homeDirectory", f"/home/{account.username}"),
            ("userPassword", ssha(person.password, _stable_salt(account.username, person.password))),
        ]))
    for group in found.groups:
        members = found.members(group)
        if not members:
            continue  # a primary-group placeholder nobody lists; groupOfUniqueNames needs a member
        parts.append(_entry(f"ou={escape_dn(group)},ou=groups,{BASE_DN}", [
            ("objectClass", "groupOfUniqueNames"), ("cn", group), ("ou", group),
            *(("uniqueMember", p.dn) for p in members),
        ]))
    return "".join(parts)


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def glauth_config(ctx: GeneratorContext) -> str:
    """glauth's config file, as SciCatLive's glauth.conf but with the profile's people."""
    ctx.secrets.ensure([SERVICE_SECRET])
    found = directory(ctx)
    lines = [
        "# Generated by scicatlive from the profile's accounts (SciCatLive's glauth.conf layout).",
        "debug = false",
        "[ldap]", "  enabled = true", '  listen = "0.0.0.0:3893"', "  tls = false",
        "[ldaps]", "  enabled = false",
        "[backend]", '  datastore = "config"', f"  baseDN = {_toml(BASE_DN)}",
        "[behaviors]", "  IgnoreCapabilities = false",
        # SciCatLive bans a source address after 3 failed binds in 10 s; every login
        # comes from the backend's address, so one typo would lock everybody out.
        "  LimitFailedBinds = false",
        "[api]", "  enabled = false",
    ]
    for person in found.people:
        account = person.account
        others = [found.groups[g] for g in account.groups if g != person.primary_group]
        lines += [
            "[[users]]",
            f"  name = {_toml(account.username)}",
            f"  mail = {_toml(account.email)}",
            f"  uidnumber = {person.uid_number}",
            f"  primarygroup = {found.groups[person.primary_group]}",
            f"  othergroups = {others}",
            f"  passsha256 = {_toml(hashlib.sha256(person.password.encode()).hexdigest())}",
            "    [[users.customattributes]]",
            f"    displayName = [{_toml(account.username)}]",
        ]
    service_gid = FIRST_GID + len(found.groups)
    lines += [
        "[[users]]",
        f"  name = {_toml(SERVICE_ACCOUNT)}",
        f"  uidnumber = {FIRST_UID + len(found.people)}",
        f"  primarygroup = {service_gid}",
        f"  passsha256 = {_toml(hashlib.sha256(ctx.secrets[SERVICE_SECRET].encode()).hexdigest())}",
        "    [[users.capabilities]]",
        '    action = "search"',
        '    object = "*"',
    ]
    for group, gid in [*found.groups.items(), (SERVICE_GROUP, service_gid)]:
        lines += ["[[groups]]", f"  name = {_toml(group)}", f"  gidnumber = {gid}"]
    return "\n".join(lines) + "\n"
