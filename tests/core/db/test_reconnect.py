"""A database that goes away and comes back: calls fail at once with DBUnavailable (one log
line per outage), nothing waits on the dead server, and the next call after the back-off
reconnects. Runs against its own PostgreSQL cluster, which the tests stop and start."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator

import pytest

from siprouter.core.db import Database, DBUnavailable, connect, create_schema
from tests.core.db.pgcluster import Cluster, remove_cluster, start_cluster


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    yield cluster
    remove_cluster(cluster)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pg(own_cluster: Cluster, clock: FakeClock) -> Iterator[Database]:
    own_cluster.ensure_running()  # a previous test may have left it stopped
    name = "reconnect_" + uuid.uuid4().hex[:8]
    db = connect(own_cluster.create_database(name), clock=clock)
    create_schema(db)
    yield db
    db.close()


def db_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "siprouter.db" and r.levelno >= logging.ERROR]


def test_a_stopped_server_gives_unavailable_and_one_log_line(
        own_cluster: Cluster, pg: Database, caplog: pytest.LogCaptureFixture) -> None:
    own_cluster.stop()
    for _ in range(5):
        with pytest.raises(DBUnavailable):
            pg.count("location")
    assert len(db_errors(caplog)) == 1
    assert "unavailable" in db_errors(caplog)[0]


def test_during_the_back_off_no_connection_is_attempted(
        own_cluster: Cluster, pg: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    own_cluster.stop()
    with pytest.raises(DBUnavailable):
        pg.count("location")
    attempts = []
    real_open = pg._open
    monkeypatch.setattr(pg, "_open", lambda: attempts.append(1) or real_open())
    for _ in range(3):
        with pytest.raises(DBUnavailable):
            pg.count("location")
    assert attempts == []


def test_after_the_back_off_it_reconnects_and_says_so(
        own_cluster: Cluster, pg: Database, clock: FakeClock,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "siprouter.db")
    pg.insert("location", {"ruid": "r1", "username": "alice"})
    own_cluster.stop()
    with pytest.raises(DBUnavailable):
        pg.count("location")
    own_cluster.start()
    clock.now += 60
    assert pg.count("location") == 1
    assert any("reconnected" in r.getMessage() for r in caplog.records)
    assert pg.available


def test_a_server_restart_between_calls_is_not_seen_by_the_caller(
        own_cluster: Cluster, pg: Database) -> None:
    pg.insert("location", {"ruid": "r1", "username": "alice"})
    own_cluster.stop()
    own_cluster.start()
    assert pg.count("location") == 1  # the stale connection is replaced and the query rerun


def test_a_forked_child_opens_its_own_connection(pg: Database) -> None:
    pg.insert("location", {"ruid": "r1", "username": "alice"})
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if pg.count("location") == 1 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert pg.count("location") == 1  # the parent's connection still works
