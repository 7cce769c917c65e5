#!/bin/sh
# First start: create the system tables, then the database and user from the
# env with networking off; then serve on all addresses.
set -eu

: "${MARIADB_ROOT_PASSWORD:?MARIADB_ROOT_PASSWORD must be set}"
: "${MARIADB_PASSWORD:?MARIADB_PASSWORD must be set}"
MARIADB_USER="${MARIADB_USER:-ispyb}"
MARIADB_DATABASE="${MARIADB_DATABASE:-ispyb}"
datadir=/var/lib/mysql

sql_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

if [ ! -d "$datadir/mysql" ]; then
    mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=normal \
        --skip-test-db >/dev/null
    mariadbd --skip-networking --socket=/run/mysqld/init.sock &
    pid=$!
    for _ in $(seq 1 60); do
        mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break
        sleep 0.5
    done
    mariadb --socket=/run/mysqld/init.sock -u root <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_quote "$MARIADB_ROOT_PASSWORD");
CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER $(sql_quote "$MARIADB_USER")@'%' IDENTIFIED BY $(sql_quote "$MARIADB_PASSWORD");
GRANT ALL ON \`$MARIADB_DATABASE\`.* TO $(sql_quote "$MARIADB_USER")@'%';
FLUSH PRIVILEGES;
SQL
    kill "$pid"
    wait "$pid" || true
fi

if [ "$1" = "mariadbd" ]; then
    shift
    exec mariadbd --bind-address=0.0.0.0 --datadir="$datadir" "$@"
fi
exec "$@"
