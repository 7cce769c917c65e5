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

from scicatlive.engine import ContainerState, Engine
from scicatlive.errors import StackError

STAGING = "__restore"
PREVIOUS = "__before_restore"
# Account tables: scicat-lite's (PostgreSQL) and upstream SciCat's collections (MongoDB).
POSTGRES_ACCOUNT_TABLES = ("users", "user_identities", "user_settings", "user_roles")
MONGO_ACCOUNT_COLLECTIONS = ("User", "UserIdentity", "UserSetting", "Role", "UserRole")


@dataclass(frozen=True)
class Place:
    """A database in a running container: where each command runs and which database it means."""

    container: str
    database: str


class DataService(Protocol):
    """How to dump, count, stage and swap one kind of database."""

    @property
    def kind(self) -> str: ...

    @property
    def file_name(self) -> str: ...

    @property
    def swap_restarts_users(self) -> bool:
        """True when the services that use the data must stop for the swap and start after it."""
        ...

    def place(self, container: ContainerState) -> Place: ...

    def compact(self, engine: Engine, place: Place) -> None:
        """Do the bookkeeping an application defers, so that a dump holds its result, not a backlog."""
        ...

    def dump(self, engine: Engine, place: Place, destination: Path) -> None: ...

    def counts(self, engine: Engine, place: Place) -> dict[str, int]: ...

    def stage(self, engine: Engine, place: Place, source: Path) -> None: ...

    def swap(self, engine: Engine, place: Place) -> None: ...

    def discard(self, engine: Engine, place: Place, suffix: str) -> None: ...


def run(engine: Engine, container: str, script: str, action: str, **variables: str) -> str:
    """``script`` in the container's shell, with ``variables`` in its environment."""
    settings = [item for name, value in variables.items() for item in ("-e", f"{name}={value}")]
    return engine.cli("exec", *settings, container, "sh", "-ec", script, action=action)


def _database(container: ContainerState, variable: str) -> Place:
    name = container.environment.get(variable)
    if not name:
        raise StackError(f"container {container.name} has no {variable}: it is not a database this stack created")
    return Place(container.name, name)


@dataclass(frozen=True)
class Postgres:
    kind: str = "postgresql"
    file_name: str = "postgres.dump"
    # A database is renamed only without connections; the backend then creates its accounts again.
    swap_restarts_users: bool = True

    # psql reads the statements from $SQL on its standard input, so that ``:"name"`` (an
    # identifier) and ``:'name'`` (a literal) are filled in from -v, quoted by psql itself.
    _psql_in = 'printf "%s" "$SQL" | psql -X -v ON_ERROR_STOP=1 -qAt -U "$POSTGRES_USER" -d {}'
    _psql = _psql_in.format("postgres")
    _psql_live = _psql_in.format('"$POSTGRES_DB"')
    # A restore is a bulk load: index builds get memory, and commits need not wait for the disk.
    _bulk = "PGOPTIONS='-c maintenance_work_mem=256MB -c synchronous_commit=off'"

    def place(self, container: ContainerState) -> Place:
        return _database(container, "POSTGRES_DB")

    def _names(self, place: Place) -> str:
        names = {"live": place.database, "staging": place.database + STAGING, "previous": place.database + PREVIOUS}
        return " ".join(f"-v {key}='{value}'" for key, value in names.items())

    def _sql(self, engine: Engine, place: Place, sql: str, action: str) -> str:
        return run(engine, place.container, f"{self._psql} {self._names(place)}", action, SQL=sql)

    def compact(self, engine: Engine, place: Place) -> None:
        # scicat-lite appends metadata-key changes to an event log that it folds into its index
        # before each read (2.3 million events after seeding `large`): fold them now, as a read would.
        sql = ("DO $$ BEGIN IF to_regproc('scicat_fold_metadata_keys') IS NOT NULL THEN "
               "PERFORM scicat_fold_metadata_keys(); END IF; END $$;")  # fmt: skip
        run(engine, place.container, self._psql_live, "folding the backend's pending metadata-key events", SQL=sql)

    def dump(self, engine: Engine, place: Place, destination: Path) -> None:
        accounts = " ".join(f"--exclude-table-data=public.{table}" for table in POSTGRES_ACCOUNT_TABLES)
        script = ["sh", "-ec", f'pg_dump --format=custom {accounts} -U "$POSTGRES_USER" -d "$POSTGRES_DB"']
        engine.exec_streaming(place.container, script, stdout=destination, action="dumping PostgreSQL")

    def counts(self, engine: Engine, place: Place) -> dict[str, int]:
        sql = (
            "SELECT table_name || E'\\t' || (xpath('/row/c/text()', query_to_xml(format("
            "'SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text "
            "FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        )
        counts = _tab_separated(run(engine, place.container, self._psql_live, "counting PostgreSQL rows", SQL=sql))
        return {table: n for table, n in counts.items() if table not in POSTGRES_ACCOUNT_TABLES}

    def stage(self, engine: Engine, place: Place, source: Path) -> None:
        fresh = 'DROP DATABASE IF EXISTS :"staging" WITH (FORCE);\nCREATE DATABASE :"staging" TEMPLATE template0;\n'
        # From a file, so that pg_restore loads tables and builds indexes with one job per core.
        restore = (f'pg_restore --no-owner --exit-on-error --jobs="$(nproc)" -U "$POSTGRES_USER" '
                   f'-d "${{POSTGRES_DB}}{STAGING}" "$dump"')  # fmt: skip
        # A restored database has no planner statistics: gather them before the swap, as
        # pg_restore's manual advises, not under the backend's first queries (and its start).
        analyze = f'vacuumdb --analyze-only --quiet --jobs="$(nproc)" -U "$POSTGRES_USER" -d "${{POSTGRES_DB}}{STAGING}"'
        script = (f'dump="$(mktemp)"; trap \'rm -f "$dump"\' EXIT; cat > "$dump"\n'
                  f"{self._psql} {self._names(place)}\n{self._bulk} {restore}\n{analyze}")  # fmt: skip
        engine.exec_streaming(place.container, ["env", f"SQL={fresh}", "sh", "-ec", script], stdin=source,
                              action="restoring the PostgreSQL dump")  # fmt: skip

    def swap(self, engine: Engine, place: Place) -> None:
        # One transaction renames both databases: the live data is swapped whole, or not at all.
        sql = (
            'DROP DATABASE IF EXISTS :"previous" WITH (FORCE);\n'
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = :'live' AND pid <> pg_backend_pid();\n"
            'BEGIN;\nALTER DATABASE :"live" RENAME TO :"previous";\nALTER DATABASE :"staging" RENAME TO :"live";\nCOMMIT;\n'
        )
        self._sql(engine, place, sql, "swapping in the restored data")

    def discard(self, engine: Engine, place: Place, suffix: str) -> None:
        key = {STAGING: "staging", PREVIOUS: "previous"}[suffix]
        self._sql(engine, place, f'DROP DATABASE IF EXISTS :"{key}" WITH (FORCE);\n', "dropping a staging database")


@dataclass(frozen=True)
class MariaDB:
    kind: str = "mariadb"
    file_name: str = "mariadb.sql.gz"
    # Tables move under open connections (ISPyB's accounts are no data of the database).
    swap_restarts_users: bool = False

    _client = 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot'

    def place(self, container: ContainerState) -> Place:
        return _database(container, "MARIADB_DATABASE")

    def _sql(self, engine: Engine, place: Place, sql: str, action: str) -> str:
        return run(engine, place.container, f'{self._client} -N -B -e "$SQL"', action, SQL=sql)

    def compact(self, engine: Engine, place: Place) -> None:
        pass  # the ISPyB mock defers nothing

    def dump(self, engine: Engine, place: Place, destination: Path) -> None:
        script = ('MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb-dump -uroot --single-transaction --routines '
                  '--triggers --hex-blob "$MARIADB_DATABASE" | gzip -1')  # fmt: skip
        # pipefail: a failing mariadb-dump must fail the dump, not leave gzip's clean exit.
        engine.exec_streaming(place.container, ["bash", "-ec", f"set -o pipefail; {script}"], stdout=destination,
                              action="dumping MariaDB")  # fmt: skip

    def counts(self, engine: Engine, place: Place) -> dict[str, int]:
        tables = self._tables(engine, place).get(place.database, [])
        if not tables:
            return {}
        union = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM `{place.database}`.`{t}`" for t in tables)
        return _tab_separated(self._sql(engine, place, union, "counting MariaDB rows"))

    def _tables(self, engine: Engine, place: Place) -> dict[str, list[str]]:
        """The base tables of the live database and of its staging copy."""
        schemas = (place.database, place.database + STAGING)
        sql = ("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN "
               f"('{schemas[0]}', '{schemas[1]}') AND table_type = 'BASE TABLE' ORDER BY 1, 2")  # fmt: skip
        found: dict[str, list[str]] = {}
        for line in self._sql(engine, place, sql, "listing MariaDB tables").splitlines():
            schema, _, table = line.partition("\t")
            found.setdefault(schema, []).append(table)
        return found

    def stage(self, engine: Engine, place: Place, source: Path) -> None:
        staging = f"`{place.database}{STAGING}`"
        fresh = f"DROP DATABASE IF EXISTS {staging}; CREATE DATABASE {staging} CHARACTER SET utf8mb4"
        # pipefail: a truncated dump fails in gunzip even when the SQL it let through ran cleanly.
        script = (f'set -o pipefail; {self._client} -e "$SQL"\n'
                  f'gunzip -c | {self._client} "${{MARIADB_DATABASE}}{STAGING}"')  # fmt: skip
        engine.exec_streaming(place.container, ["env", f"SQL={fresh}", "bash", "-ec", script], stdin=source,
                              action="restoring the MariaDB dump")  # fmt: skip

    def swap(self, engine: Engine, place: Place) -> None:
        tables = self._tables(engine, place)
        live, staged, previous = place.database, place.database + STAGING, place.database + PREVIOUS
        renames = [f"`{live}`.`{t}` TO `{previous}`.`{t}`" for t in tables.get(live, [])]
        renames += [f"`{staged}`.`{t}` TO `{live}`.`{t}`" for t in tables.get(staged, [])]
        # One RENAME TABLE: every live table is swapped at once, or none is. It waits for the
        # open transactions of the services that keep running, but not for ever.
        self._sql(engine, place, f"DROP DATABASE IF EXISTS `{previous}`; CREATE DATABASE `{previous}`; "
                  "SET FOREIGN_KEY_CHECKS = 0; SET SESSION lock_wait_timeout = 30; RENAME TABLE "
                  + ", ".join(renames), "swapping in the restored tables")  # fmt: skip

    def discard(self, engine: Engine, place: Place, suffix: str) -> None:
        self._sql(engine, place, f"DROP DATABASE IF EXISTS `{place.database}{suffix}`", "dropping a staging database")


@dataclass(frozen=True)
class Mongo:
    """MongoDB (the ``full`` profile): every user database, as a gzipped archive."""

    kind: str = "mongodb"
    file_name: str = "mongo.archive.gz"
    # The live databases are dropped, accounts included: the backend must create them again.
    swap_restarts_users: bool = True

    _auth = '-u "$MONGO_INITDB_ROOT_USERNAME" -p "$MONGO_INITDB_ROOT_PASSWORD" --authenticationDatabase admin'
    _user_databases = (
        'db.adminCommand({listDatabases: 1}).databases.map(d => d.name)'
        '.filter(n => !["admin", "config", "local"].includes(n))'
    )

    def place(self, container: ContainerState) -> Place:
        return Place(container.name, "")  # every user database

    def _eval(self, engine: Engine, place: Place, code: str, action: str) -> str:
        return run(engine, place.container, f'mongosh --quiet {self._auth} --eval "$CODE"', action, CODE=code)

    def compact(self, engine: Engine, place: Place) -> None:
        pass  # upstream SciCat keeps its counters up to date on every write

    def dump(self, engine: Engine, place: Place, destination: Path) -> None:
        accounts = " ".join(f"--nsExclude '*.{name}'" for name in MONGO_ACCOUNT_COLLECTIONS)
        script = (f"mongodump {self._auth} --archive --gzip --nsExclude 'admin.*' --nsExclude 'config.*' "
                  f"--nsExclude 'local.*' {accounts}")  # fmt: skip
        engine.exec_streaming(place.container, ["sh", "-ec", script], stdout=destination, action="dumping MongoDB")

    def counts(self, engine: Engine, place: Place) -> dict[str, int]:
        code = (f"const out = {{}}; {self._user_databases}.filter(n => !n.endsWith(\"{STAGING}\"))"
                ".forEach(n => db.getSiblingDB(n).getCollectionNames().forEach("
                "c => { out[n + \".\" + c] = db.getSiblingDB(n)[c].countDocuments({}) })); print(JSON.stringify(out))")  # fmt: skip
        found = json.loads(self._eval(engine, place, code, "counting MongoDB documents"))
        return {name: int(count) for name, count in found.items()
                if name.partition(".")[2] not in MONGO_ACCOUNT_COLLECTIONS}  # fmt: skip

    def stage(self, engine: Engine, place: Place, source: Path) -> None:
        self.discard(engine, place, STAGING)
        script = f"mongorestore {self._auth} --archive --gzip --nsFrom '$DB.$COLL' --nsTo '$DB{STAGING}.$COLL'"
        engine.exec_streaming(place.container, ["sh", "-ec", script], stdin=source, action="restoring the MongoDB dump")

    def swap(self, engine: Engine, place: Place) -> None:
        code = (f"{self._user_databases}.filter(n => n.endsWith(\"{STAGING}\")).forEach(staged => {{"
                f" const live = staged.slice(0, -{len(STAGING)}); db.getSiblingDB(live).dropDatabase();"
                " db.getSiblingDB(staged).getCollectionNames().forEach(c => db.adminCommand("
                "{renameCollection: staged + \".\" + c, to: live + \".\" + c, dropTarget: true})) })")  # fmt: skip
        self._eval(engine, place, code, "swapping in the restored collections")

    def discard(self, engine: Engine, place: Place, suffix: str) -> None:
        code = f"{self._user_databases}.filter(n => n.endsWith(\"{suffix}\")).forEach(n => db.getSiblingDB(n).dropDatabase())"
        self._eval(engine, place, code, "dropping staging databases")


# Which catalogue service holds which kind of data (its local and upstream variants alike).
DATA_SERVICES: dict[str, DataService] = {"postgres": Postgres(), "mariadb": MariaDB(), "mongo": Mongo()}


def _tab_separated(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in text.splitlines():
        name, _, number = line.partition("\t")
        if name and number.strip().isdigit():
            counts[name] = int(number)
    return counts
