"""The query API on both engines: parametrised statements, comparisons, upsert,
transactions."""

from __future__ import annotations

from datetime import datetime

import pytest

from siprouter.core.db import Cmp, Database, DBQueryError, db_time, epoch


def row(ruid: str, user: str = "alice", **kw: object) -> dict[str, object]:
    return {"ruid": ruid, "username": user, "contact": f"sip:{user}@192.0.2.1", **kw}


def test_insert_then_query_by_equality(db: Database) -> None:
    db.insert("location", row("r1"))
    db.insert("location", row("r2", "bob"))
    got = db.query("location", ["ruid", "username"], {"username": "bob"})
    assert got == [{"ruid": "r2", "username": "bob"}]


def test_values_are_parameters_never_sql(db: Database) -> None:
    nasty = "x'); DROP TABLE location; --"
    db.insert("location", row("r1", nasty))
    assert db.query("location", ["username"], {"username": nasty}) == [{"username": nasty}]
    assert db.table_exists("location")


def test_names_that_are_not_identifiers_are_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        db.query("location", ["username; DROP TABLE location"])
    with pytest.raises(ValueError):
        db.query('location" --')


def test_none_matches_null(db: Database) -> None:
    db.insert("location", row("r1"))  # domain defaults to NULL
    db.insert("location", row("r2", domain="example.com"))
    assert [r["ruid"] for r in db.query("location", ["ruid"], {"domain": None})] == ["r1"]


def test_comparisons_on_timestamps(db: Database) -> None:
    db.insert("location", row("old", expires=db_time(1_000_000_000)))
    db.insert("location", row("new", expires=db_time(2_000_000_000)))
    past = db.query("location", ["ruid"], {"expires": Cmp("<", db_time(1_500_000_000))})
    assert past == [{"ruid": "old"}]


def test_timestamps_come_back_as_the_same_epoch(db: Database) -> None:
    db.insert("location", row("r1", expires=db_time(1_700_000_123)))
    (got,) = db.query("location", ["expires"])
    assert epoch(got["expires"]) == 1_700_000_123
    assert isinstance(db_time(0), datetime)


def test_update_and_delete_say_how_many_rows(db: Database) -> None:
    for i in range(3):
        db.insert("location", row(f"r{i}"))
    assert db.update("location", {"cseq": 7}, {"username": "alice"}) == 3
    assert db.delete("location", {"ruid": "r0"}) == 1
    assert db.count("location") == 2


def test_replace_inserts_or_updates_on_the_unique_key(db: Database) -> None:
    db.replace("location", row("r1", cseq=1), ["ruid"])
    db.replace("location", row("r1", cseq=2), ["ruid"])
    assert db.query("location", ["ruid", "cseq"]) == [{"ruid": "r1", "cseq": 2}]


def test_order_and_limit(db: Database) -> None:
    for i, q in enumerate((0.5, 1.0, 0.1)):
        db.insert("location", row(f"r{i}", q=q))
    got = db.query("location", ["ruid"], order=["-q"], limit=2)
    assert [r["ruid"] for r in got] == ["r1", "r0"]


def test_count_distinct(db: Database) -> None:
    db.insert("location", row("r1", "alice"))
    db.insert("location", row("r2", "alice"))
    db.insert("location", row("r3", "bob"))
    assert db.count("location", distinct=["username"]) == 2


def test_transaction_commits_together(db: Database) -> None:
    with db.transaction():
        db.insert("location", row("r1"))
        db.insert("location", row("r2"))
    assert db.count("location") == 2


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(DBQueryError):
        with db.transaction():
            db.insert("location", row("r1"))
            db.insert("location", row("r1"))  # same ruid: unique constraint
    assert db.count("location") == 0


def test_a_missing_table_is_a_query_error(db: Database) -> None:
    with pytest.raises(DBQueryError):
        db.query("no_such_table")
