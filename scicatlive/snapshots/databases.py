"""Each data service in its own dump format, restored beside the live data and then swapped in.

A restore never writes into the live database: the dump goes into a staging database
first (``<db>__restore``). Only when that succeeded are the two swapped: PostgreSQL by
renaming the databases, MariaDB with one ``RENAME TABLE`` statement for every table
(atomic), MongoDB collection by collection (``renameCollection``; MongoDB has no atomic
swap of a whole database). A failure before the swap leaves the old data as it was.

A snapshot holds the catalogue, not the stack's accounts: the backend's users, their
identities, settings and roles stay out of every dump (and its counts). Each stack has its own
passwords; the backend, restarted after the swap, creates its functional accounts again from
the stack's own accounts file, as SciCat does on every start. So a snapshot (and the seed
cache) can be restored into any stack of the same images, and its logins keep working.

Commands run inside the service's container with its own credentials (its environment);
statements travel in an environment variable of ``docker exec``, never through shell quoting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from scicatlive.engine import Engine

STAGING = "__restore"
PREVIOUS = "__before_restore"
# Account tables: scicat-lite's (PostgreSQL) and upstream SciCat's collections (MongoDB).
POSTGRES_ACCOUNT_TABLES = ("users", "user_identities", "user_settings", "user_roles")
MONGO_ACCOUNT_COLLECTIONS = ("User", "UserIdentity", "UserSetting", "Role", "UserRole")


class DataService(Protocol):
    """How to dump, count, stage and swap one kind of database."""

    @property
    def kind(self) -> str: ...

    @property
    def file_name(self) -> str: ...

    def dump(self, engine: Engine, container: str, destination: Path) -> None: ...

    def counts(self, engine: Engine, container: str) -> dict[str, int]: ...

    def stage(self, engine: Engine, container: str, source: Path) -> None: ...

    def swap(self, engine: Engine, container: str) -> None: ...

    def discard(self, engine: Engine, container: str, suffix: str) -> None: ...


def run(engine: Engine, container: str, script: str, action: str, **variables: str) -> str:
    """``script`` in the container's shell, with ``variables`` in its environment."""
    settings = [item for name, value in variables.items() for item in ("-e", f"{name}={value}")]
    return engine.cli("exec", *settings, container, "sh", "-ec", script, action=action)


def container_env(engine: Engine, container: str, name: str) -> str:
    """A variable of the container's environment (the database name its service was given)."""
    return engine.cli("exec", container, "printenv", name, action=f"reading {name}").strip()


@dataclass(frozen=True)
class Postgres:
    kind: str = "postgresql"
    file_name: str = "postgres.dump"

    def _sql(self, engine: Engine, container: str, sql: str, action: str, database: str = "postgres") -> str:
        script = f'psql -v ON_ERROR_STOP=1 -qAt -U "$POSTGRES_USER" -d "{database}" -c "$SQL"'
        return run(engine, container, script, action, SQL=sql)

    def _name(self, engine: Engine, container: str) -> str:
        return container_env(engine, container, "POSTGRES_DB")

    def dump(self, engine: Engine, container: str, destination: Path) -> None:
        accounts = " ".join(f"--exclude-table-data=public.{table}" for table in POSTGRES_ACCOUNT_TABLES)
        script = ["sh", "-ec", f'pg_dump --format=custom {accounts} -U "$POSTGRES_USER" -d "$POSTGRES_DB"']
        engine.exec_streaming(container, script, stdout=destination, action="dumping PostgreSQL")

    def counts(self, engine: Engine, container: str) -> dict[str, int]:
        sql = (
            "SELECT table_name || E'\\t' || (xpath('/row/c/text()', query_to_xml(format("
            "'SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text "
            "FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        )
        counts = _tab_separated(self._sql(engine, container, sql, "counting PostgreSQL rows", "$POSTGRES_DB"))
        return {table: n for table, n in counts.items() if table not in POSTGRES_ACCOUNT_TABLES}

    def stage(self, engine: Engine, container: str, source: Path) -> None:
        self.discard(engine, container, STAGING)
        name = self._name(engine, container)
        self._sql(engine, container, f'CREATE DATABASE "{name}{STAGING}" TEMPLATE template0', "creating a staging database")
        restore = ["sh", "-ec", f'pg_restore --no-owner --exit-on-error -U "$POSTGRES_USER" -d "${{POSTGRES_DB}}{STAGING}"']
        engine.exec_streaming(container, restore, stdin=source, action="restoring the PostgreSQL dump")

    def swap(self, engine: Engine, container: str) -> None:
        name = self._name(engine, container)
        self.discard(engine, container, PREVIOUS)
        self._sql(engine, container, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  f"WHERE datname = '{name}' AND pid <> pg_backend_pid()", "closing connections")  # fmt: skip
        self._sql(engine, container, f'ALTER DATABASE "{name}" RENAME TO "{name}{PREVIOUS}"', "setting the old data aside")
        try:
            self._sql(engine, container, f'ALTER DATABASE "{name}{STAGING}" RENAME TO "{name}"', "swapping in the restored data")
        except Exception:
            self._sql(engine, container, f'ALTER DATABASE "{name}{PREVIOUS}" RENAME TO "{name}"', "putting the old data back")
            raise

    def discard(self, engine: Engine, container: str, suffix: str) -> None:
        name = self._name(engine, container)
        self._sql(engine, container, f'DROP DATABASE IF EXISTS "{name}{suffix}" WITH (FORCE)', "dropping a staging database")


@dataclass(frozen=True)
class MariaDB:
    kind: str = "mariadb"
    file_name: str = "mariadb.sql.gz"

    def _sql(self, engine: Engine, container: str, sql: str, action: str) -> str:
        return run(engine, container, 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot -N -B -e "$SQL"', action, SQL=sql)

    def _name(self, engine: Engine, container: str) -> str:
        return container_env(engine, container, "MARIADB_DATABASE")

    def _tables(self, engine: Engine, container: str, database: str) -> list[str]:
        sql = (f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{database}' "
               "AND table_type = 'BASE TABLE' ORDER BY 1")  # fmt: skip
        return self._sql(engine, container, sql, "listing MariaDB tables").split()

    def dump(self, engine: Engine, container: str, destination: Path) -> None:
        script = ('MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb-dump -uroot --single-transaction --routines '
                  '--triggers --hex-blob "$MARIADB_DATABASE" | gzip -1')  # fmt: skip
        # pipefail: a failing mariadb-dump must fail the dump, not leave gzip's clean exit.
        engine.exec_streaming(container, ["bash", "-ec", f"set -o pipefail; {script}"], stdout=destination,
                              action="dumping MariaDB")

    def counts(self, engine: Engine, container: str) -> dict[str, int]:
        database = self._name(engine, container)
        tables = self._tables(engine, container, database)
        if not tables:
            return {}
        union = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM `{database}`.`{t}`" for t in tables)
        return _tab_separated(self._sql(engine, container, union, "counting MariaDB rows"))

    def stage(self, engine: Engine, container: str, source: Path) -> None:
        self.discard(engine, container, STAGING)
        name = self._name(engine, container)
        self._sql(engine, container, f"CREATE DATABASE `{name}{STAGING}` CHARACTER SET utf8mb4", "creating a staging database")
        # pipefail: a truncated dump fails in gunzip even when the SQL it let through ran cleanly.
        script = f'set -o pipefail; gunzip -c | MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot "${{MARIADB_DATABASE}}{STAGING}"'
        load = ["bash", "-ec", script]
        engine.exec_streaming(container, load, stdin=source, action="restoring the MariaDB dump")

    def swap(self, engine: Engine, container: str) -> None:
        name = self._name(engine, container)
        live = self._tables(engine, container, name)
        staged = self._tables(engine, container, f"{name}{STAGING}")
        self.discard(engine, container, PREVIOUS)
        self._sql(engine, container, f"CREATE DATABASE `{name}{PREVIOUS}`", "setting the old data aside")
        renames = [f"`{name}`.`{t}` TO `{name}{PREVIOUS}`.`{t}`" for t in live]
        renames += [f"`{name}{STAGING}`.`{t}` TO `{name}`.`{t}`" for t in staged]
        # One RENAME TABLE: every live table is swapped at once, or none is.
        self._sql(engine, container, "SET FOREIGN_KEY_CHECKS = 0; RENAME TABLE " + ", ".join(renames),
                  "swapping in the restored tables")  # fmt: skip

    def discard(self, engine: Engine, container: str, suffix: str) -> None:
        name = self._name(engine, container)
        self._sql(engine, container, f"DROP DATABASE IF EXISTS `{name}{suffix}`", "dropping a staging database")


@dataclass(frozen=True)
class Mongo:
    """MongoDB (the ``full`` profile): every user database, as a gzipped archive."""

    kind: str = "mongodb"
    file_name: str = "mongo.archive.gz"

    _auth = '-u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin'
    _user_databases = (
        'db.adminCommand({listDatabases: 1}).databases.map(d => d.name)'
        '.filter(n => !["admin", "config", "local"].includes(n))'
    )

    def _eval(self, engine: Engine, container: str, code: str, action: str) -> str:
        return run(engine, container, f'mongosh --quiet {self._auth} --eval "$CODE"', action, CODE=code)

    def dump(self, engine: Engine, container: str, destination: Path) -> None:
        accounts = " ".join(f"--nsExclude '*.{name}'" for name in MONGO_ACCOUNT_COLLECTIONS)
        script = (f"mongodump {self._auth} --archive --gzip --nsExclude 'admin.*' --nsExclude 'config.*' "
                  f"--nsExclude 'local.*' {accounts}")  # fmt: skip
        engine.exec_streaming(container, ["sh", "-ec", script], stdout=destination, action="dumping MongoDB")

    def counts(self, engine: Engine, container: str) -> dict[str, int]:
        code = (f"const out = {{}}; {self._user_databases}.filter(n => !n.endsWith(\"{STAGING}\"))"
                ".forEach(n => db.getSiblingDB(n).getCollectionNames().forEach("
                "c => { out[n + \".\" + c] = db.getSiblingDB(n)[c].countDocuments({}) })); print(JSON.stringify(out))")  # fmt: skip
        found = json.loads(self._eval(engine, container, code, "counting MongoDB documents"))
        return {name: int(count) for name, count in found.items()
                if name.partition(".")[2] not in MONGO_ACCOUNT_COLLECTIONS}  # fmt: skip

    def stage(self, engine: Engine, container: str, source: Path) -> None:
        self.discard(engine, container, STAGING)
        script = f"mongorestore {self._auth} --archive --gzip --nsFrom '$DB.$COLL' --nsTo '$DB{STAGING}.$COLL'"
        engine.exec_streaming(container, ["sh", "-ec", script], stdin=source, action="restoring the MongoDB dump")

    def swap(self, engine: Engine, container: str) -> None:
        code = (f"{self._user_databases}.filter(n => n.endsWith(\"{STAGING}\")).forEach(staged => {{"
                f" const live = staged.slice(0, -{len(STAGING)}); db.getSiblingDB(live).dropDatabase();"
                " db.getSiblingDB(staged).getCollectionNames().forEach(c => db.adminCommand("
                "{renameCollection: staged + \".\" + c, to: live + \".\" + c, dropTarget: true})) })")  # fmt: skip
        self._eval(engine, container, code, "swapping in the restored collections")

    def discard(self, engine: Engine, container: str, suffix: str) -> None:
        code = f"{self._user_databases}.filter(n => n.endsWith(\"{suffix}\")).forEach(n => db.getSiblingDB(n).dropDatabase())"
        self._eval(engine, container, code, "dropping staging databases")


# Which catalogue service holds which kind of data (its local and upstream variants alike).
DATA_SERVICES: dict[str, DataService] = {"postgres": Postgres(), "mariadb": MariaDB(), "mongo": Mongo()}


def _tab_separated(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in text.splitlines():
        name, _, number = line.partition("\t")
        if name and number.strip().isdigit():
            counts[name] = int(number)
    return counts
