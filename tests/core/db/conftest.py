"""Fixtures for the database layer: a fresh SQLite file per test and one PostgreSQL cluster
per session (a fresh database per test)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from siprouter.core.db import Database, connect
from tests.core.db.pgcluster import Cluster, remove_cluster, start_cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """db_url of a new empty database in the session's cluster."""
    return pg_cluster.create_database("t_" + uuid.uuid4().hex[:12])


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'siprouter.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def any_url(request: pytest.FixtureRequest) -> str:
    """The db_url of a fresh database of each engine (the test runs once per engine)."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


@pytest.fixture
def db(any_url: str) -> Iterator[Database]:
    """A connected database of each engine with Kamailio's schema."""
    from siprouter.core.db import create_schema

    database = connect(any_url)
    create_schema(database)
    yield database
    database.close()
