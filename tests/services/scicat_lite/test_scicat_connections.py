"""The request connections: committed or rolled back as one, autocommit handed back off."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scicat_lite.fastroute import LazyConnection
from scicat_lite.pool import Database

pytestmark = pytest.mark.database


@pytest.fixture
def database(fresh_database: str) -> Iterator[Database]:
    database = Database(fresh_database, 1)  # one connection: every test reuses it
    database.open()
    with database.connection() as conn:
        conn.execute("CREATE TABLE notes (text text)")
    try:
        yield database
    finally:
        database.close()


def _notes(database: Database) -> list[str]:
    with database.connection() as conn:
        assert not conn.autocommit
        return [row["text"] for row in conn.execute("SELECT text FROM notes ORDER BY text")]


def test_a_transactional_connection_commits_or_rolls_back_every_statement(
    database: Database,
) -> None:
    lazy = LazyConnection(database)
    assert not lazy.open
    lazy.execute("INSERT INTO notes VALUES ('a')")
    lazy.execute("INSERT INTO notes VALUES ('b')")
    lazy.finish(RuntimeError("the endpoint failed"))
    assert _notes(database) == []
    lazy = LazyConnection(database)
    lazy.execute("INSERT INTO notes VALUES ('a')")
    lazy.finish(None)
    assert _notes(database) == ["a"]


def test_a_statement_connection_goes_back_to_the_pool_out_of_autocommit(
    database: Database,
) -> None:
    lazy = LazyConnection(database, autocommit=True)
    lazy.execute("INSERT INTO notes VALUES ('c')")
    assert lazy.autocommit
    lazy.finish(RuntimeError("after the one statement"))
    assert _notes(database) == ["c"]  # committed by itself
    lazy = LazyConnection(database, autocommit=True)
    with pytest.raises(Exception, match="does_not_exist"):
        lazy.execute("SELECT does_not_exist")
    lazy.finish(RuntimeError("the statement failed"))
    assert _notes(database) == ["c"]


def test_an_unused_connection_takes_nothing_from_the_pool(database: Database) -> None:
    lazy = LazyConnection(database, autocommit=True)
    lazy.finish(None)
    assert not lazy.open
    assert _notes(database) == []
