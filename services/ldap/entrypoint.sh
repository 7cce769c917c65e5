#!/bin/sh
# Write slapd's cn=config and load the generated directory into a fresh database,
# then run slapd in the foreground on an unprivileged port (glauth's, 3893).
set -eu

: "${LDAP_ADMIN_PASSWORD:?LDAP_ADMIN_PASSWORD must be set}"
: "${LDAP_BIND_DN:?LDAP_BIND_DN (the service account that may search) must be set}"
SUFFIX="${LDAP_SUFFIX:-dc=facility}"
DIRECTORY="${LDAP_DIRECTORY_LDIF:-/config/directory.ldif}"
PORT="${LDAP_PORT:-3893}"
CONFIG_DIR=/var/lib/ldap/slapd.d
DATA_DIR=/var/lib/ldap/data

if [ ! -r "$DIRECTORY" ]; then
    echo "ldap: the directory LDIF $DIRECTORY is missing or unreadable" >&2
    exit 2
fi

rm -rf "$CONFIG_DIR" "$DATA_DIR"
mkdir -p "$CONFIG_DIR" "$DATA_DIR"
root_hash="$(slappasswd -h '{SSHA}' -s "$LDAP_ADMIN_PASSWORD")"

slapadd -q -n 0 -F "$CONFIG_DIR" <<LDIF
dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: /run/slapd/slapd.pid

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

include: file:///etc/ldap/schema/core.ldif
include: file:///etc/ldap/schema/cosine.ldif
include: file:///etc/ldap/schema/nis.ldif
include: file:///etc/ldap/schema/inetorgperson.ldif

dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcSizeLimit: 1000

dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcSuffix: $SUFFIX
olcRootDN: cn=admin,$SUFFIX
olcRootPW: $root_hash
olcDbDirectory: $DATA_DIR
olcDbIndex: objectClass eq
olcDbIndex: uid,cn,mail eq
olcDbIndex: uniqueMember eq
olcAccess: {0}to attrs=userPassword by self =xw by anonymous auth by * none
olcAccess: {1}to * by dn.exact="$LDAP_BIND_DN" read by self read by * none
LDIF

if ! slapadd -q -n 1 -F "$CONFIG_DIR" -l "$DIRECTORY"; then
    echo "ldap: $DIRECTORY is not a valid directory for $SUFFIX" >&2
    exit 2
fi

exec slapd -d "${LDAP_DEBUG_LEVEL:-0}" -F "$CONFIG_DIR" -h "ldap://0.0.0.0:$PORT/"
