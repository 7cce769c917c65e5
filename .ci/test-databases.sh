#!/usr/bin/env bash
# Starts the host's PostgreSQL and MariaDB on loopback for the in-process
# service tests, creates a throw-away user and database in each, and prints
# the two URLs as shell exports.  Source-able: `eval "$(.ci/test-databases.sh)"`.
# Needs root and the Debian packages postgresql and mariadb-server.
set -euo pipefail

password="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"

start_postgres() {
    local version
    version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
    if ! pg_lsclusters -h | grep -q .; then
        pg_createcluster "$version" main >/dev/null
    fi
    pg_ctlcluster "$version" main start 2>/dev/null || true
    for _ in $(seq 1 30); do
        runuser -u postgres -- pg_isready -q -h 127.0.0.1 && break
        sleep 1
    done
    # A re-run keeps the role (scratch databases of killed test runs may still belong to it).
    runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$ BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'scicatlive_test') THEN
        ALTER ROLE scicatlive_test LOGIN PASSWORD '${password}' CREATEDB;
    ELSE
        CREATE ROLE scicatlive_test LOGIN PASSWORD '${password}' CREATEDB;
    END IF;
END \$\$;
-- Dropping a scratch database WITH (FORCE) ends its sessions, autovacuum's included.
GRANT pg_signal_backend TO scicatlive_test;
DROP DATABASE IF EXISTS scicatlive_test;
CREATE DATABASE scicatlive_test OWNER scicatlive_test;
SQL
}

start_mariadb() {
    if ! mariadb-admin ping >/dev/null 2>&1; then
        mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
        (mysqld_safe --bind-address=127.0.0.1 >/dev/null 2>&1 &)
        for _ in $(seq 1 60); do
            mariadb-admin ping >/dev/null 2>&1 && break
            sleep 1
        done
    fi
    mariadb -e "DROP USER IF EXISTS 'scicatlive_test'@'%'; CREATE USER 'scicatlive_test'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON \`scicatlive_test%\`.* TO 'scicatlive_test'@'%'; DROP DATABASE IF EXISTS scicatlive_test; CREATE DATABASE scicatlive_test CHARACTER SET utf8mb4;"
}

# Only the exports go to stdout; everything the servers say goes to stderr.
start_postgres >&2
start_mariadb >&2
echo "export SCICATLIVE_TEST_POSTGRES_URL='postgresql://scicatlive_test:${password}@127.0.0.1:5432/scicatlive_test'"
echo "export SCICATLIVE_TEST_MARIADB_URL='mysql+pymysql://scicatlive_test:${password}@127.0.0.1:3306/scicatlive_test'"
