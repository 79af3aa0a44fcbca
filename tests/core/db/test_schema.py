"""Kamailio's schema: the same table and column names and versions as Kamailio's tools, in
both directions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from siprouter.core.db import TABLES, Database, connect, create_schema, table_version
from tests.core.db.kamailio_sql import script

NAMED_IN_ISSUE = {"location", "subscriber", "aliases", "domain", "version", "acc",
                  "missed_calls"}


def test_the_schema_has_every_table_the_modules_need() -> None:
    assert NAMED_IN_ISSUE <= {t.name for t in TABLES}


def test_created_tables_record_kamailios_versions(db: Database) -> None:
    assert table_version(db, "location") == 9
    assert table_version(db, "subscriber") == 7
    assert table_version(db, "aliases") == 8
    assert table_version(db, "version") == 1


def test_creating_again_changes_nothing(db: Database) -> None:
    assert create_schema(db) == []
    assert db.count("version", {"table_name": "location"}) == 1


def test_sqlite_file_gets_the_schema_on_first_use(tmp_path: Path) -> None:
    db = connect(f"sqlite://{tmp_path / 'new' / 'k.db'}")
    assert table_version(db, "location") == 9


def test_our_location_table_has_kamailios_columns(tmp_path: Path) -> None:
    ours = tmp_path / "ours.db"
    connect(f"sqlite://{ours}").query("version")
    theirs = sqlite3.connect(":memory:")
    theirs.executescript(script("db_sqlite", "standard") + script("db_sqlite", "usrloc"))
    for table in ("location", "location_attrs"):
        ours_cols = [r[1:3] for r in sqlite3.connect(ours).execute(f"PRAGMA table_info({table})")]
        theirs_cols = [r[1:3] for r in theirs.execute(f"PRAGMA table_info({table})")]
        assert ours_cols == theirs_cols


def test_a_database_made_by_kamailios_scripts_is_used_as_is(tmp_path: Path) -> None:
    path = tmp_path / "kamailio.db"
    with sqlite3.connect(path) as k:
        k.executescript(script("db_sqlite", "standard") + script("db_sqlite", "usrloc"))
    db = connect(f"sqlite://{path}")
    assert table_version(db, "location") == 9
    db.insert("location", {"ruid": "r1", "username": "alice", "contact": "sip:a@192.0.2.1"})
    assert db.query("location", ["username"]) == [{"username": "alice"}]
    assert not db.table_exists("subscriber")  # nothing created behind Kamailio's back


def test_postgres_schema_made_by_kamailios_script_matches_ours(pg_cluster, pg_url) -> None:
    ours = connect(pg_url)
    create_schema(ours, ["usrloc"])
    theirs_url = pg_cluster.create_database("kam_" + pg_url.rsplit("_", 1)[1])
    theirs = connect(theirs_url)
    for stmt in (script("postgres", "standard") + script("postgres", "usrloc")).split(";\n"):
        if stmt.strip():
            theirs.execute(stmt)
    sql = ("SELECT column_name, data_type, column_default, is_nullable "
           "FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position")
    assert ours.execute(sql, ["location"]) == theirs.execute(sql, ["location"])
    assert table_version(theirs, "location") == table_version(ours, "location") == 9
