"""A private OpenLDAP server (Debian's slapd) on a loopback port, with people and groups.

Built with ``slapadd`` from a cn=config LDIF in a temporary directory and removed
afterwards; nothing touches the system's own slapd configuration.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support import free_port

SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"

PEOPLE = {
    # uid: (password, mail, groups)
    "alice": ("alice-pw", "alice@example.org", ["group1", "beamline-x"]),
    "bob": ("bob-pw", "bob@example.org", []),
}


def _config(root: Path, password: str) -> str:
    return f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {root}/slapd.pid

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={{1}}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {root}/data
olcSuffix: {SUFFIX}
olcRootDN: {ADMIN_DN}
olcRootPW: {password}
olcAccess: {{0}}to attrs=userPassword by self read by anonymous auth by * none
olcAccess: {{1}}to * by * read
"""


def _directory() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example",
        f"dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people",
        f"dn: ou=groups,{SUFFIX}\nobjectClass: organizationalUnit\nou: groups",
    ]
    groups: dict[str, list[str]] = {}
    for uid, (password, mail, member_of) in PEOPLE.items():
        dn = f"uid={uid},ou=people,{SUFFIX}"
        entries.append(
            f"dn: {dn}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid.title()} Example\n"
            f"sn: Example\ndisplayName: {uid.title()} Example\nmail: {mail}\n"
            f"userPassword: {password}"
        )
        for group in member_of:
            groups.setdefault(group, []).append(dn)
    for group, members in groups.items():
        lines = "\n".join(f"member: {dn}" for dn in members)
        entries.append(
            f"dn: cn={group},ou=groups,{SUFFIX}\nobjectClass: groupOfNames\ncn: {group}\n{lines}"
        )
    return "\n\n".join(entries) + "\n"


class LdapServer:
    def __init__(self) -> None:
        if not (os.access(SLAPD, os.X_OK) and os.access(SLAPADD, os.X_OK)):
            raise FileNotFoundError("slapd is not installed (Debian packages slapd, ldap-utils)")
        self.root = Path(tempfile.mkdtemp(prefix="scicat-lite-ldap-"))
        self.admin_password = "admin-secret"
        self.port = free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        config_dir = self.root / "slapd.d"
        for directory in (config_dir, self.root / "data"):
            directory.mkdir()
        (self.root / "config.ldif").write_text(_config(self.root, self.admin_password))
        (self.root / "data.ldif").write_text(_directory())
        for database, ldif in (("0", "config.ldif"), ("1", "data.ldif")):
            subprocess.run(
                [SLAPADD, "-n", database, "-F", str(config_dir), "-l", str(self.root / ldif)],
                check=True,
                capture_output=True,
                text=True,
            )
        subprocess.run(
            [SLAPD, "-F", str(config_dir), "-h", f"{self.url}/"],
            check=True,
            capture_output=True,
            text=True,
        )
        deadline = time.monotonic() + 10
        while not (self.root / "slapd.pid").exists():
            if time.monotonic() > deadline:
                raise RuntimeError("slapd did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        pid_file = self.root / "slapd.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while pid_file.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)
