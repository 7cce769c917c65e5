#!/bin/sh
# First start: create the cluster, the user and the database from the env,
# with the server listening on its socket only; then run it on all addresses.
set -eu

: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
           --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    printf "host all all all scram-sha-256\n" >> "$PGDATA/pg_hba.conf"
    pg_ctl -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$POSTGRES_DB" != "postgres" ]; then
        # psql interpolates :"db" (quoted identifier) only in input it reads.
        echo 'CREATE DATABASE :"db";' | psql -q -v ON_ERROR_STOP=1 \
             --username "$POSTGRES_USER" --dbname postgres --set db="$POSTGRES_DB"
    fi
    pg_ctl -m fast -w stop >/dev/null
fi

if [ "$1" = "postgres" ]; then
    shift
    exec postgres -c listen_addresses='*' "$@"
fi
exec "$@"
