"""Every test starts with fresh auth parameters, a fixed clock and a subscriber table in an
SQLite file of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from siprouter.core.db import Database, connect
from siprouter.core.sip import digest
from siprouter.modules import alias_db, auth, auth_db, domain
from tests.modules.registrar.helpers import FakeClock

NOW = 1_700_000_000.0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(NOW)
    monkeypatch.setattr(auth, "clock", fake)
    return fake


@pytest.fixture
def db(tmp_path: Path, clock: FakeClock) -> Iterator[Database]:
    url = f"sqlite://{tmp_path / 'auth.db'}"
    database = connect(url)
    database.insert("subscriber", {"username": "alice", "domain": "example.com",
                                   "password": "secret",
                                   "ha1": digest.ha1("MD5", "alice", "example.com", "secret"),
                                   "ha1b": digest.ha1("MD5", "alice@example.com", "example.com",
                                                      "secret")})
    auth.configure(secret="test-secret")
    auth_db.configure(db_url=url, calculate_ha1=True, password_column="password")
    alias_db.configure(db_url=url)
    domain.configure(db_url=url)
    yield database
    auth.configure()
    auth_db.configure()
    alias_db.configure()
    domain.configure()
    database.close()


def nonce(issued: float = NOW, index: int = 1) -> str:
    """A nonce the module made at `issued` (same secret as the fixture's)."""
    return digest.make_nonce(b"test-secret", int(issued), index)
