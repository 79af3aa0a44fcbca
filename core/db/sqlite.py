"""SQLite through the standard library's `sqlite3` (Kamailio's db_sqlite).

The file and its directory are created on first use, and so is Kamailio's schema when the file
has no `version` table yet: the embedded default works with no setup. Several processes share
one file: WAL journal (readers do not wait for the writer) and a busy timeout, so a writer waits
its turn for a bounded time instead of failing at once. Timestamps are stored as Kamailio's
db_sqlite writes them, `YYYY-MM-DD HH:MM:SS` text.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from .api import Database, Row
from .errors import DBError, DBQueryError, DBUnavailable
from .url import DbUrl

BUSY_TIMEOUT = 5.0  # seconds a writer waits for another process's write to finish


def _adapt(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


class SQLiteDatabase(Database):
    """A SQLite file (or `:memory:`, private to one connection)."""

    placeholder = "?"
    engine = "sqlite"

    def __init__(self, url: DbUrl, *, readonly: bool = False, journal_mode: str | None = "WAL",
                 synchronous: str = "NORMAL", create_schema: bool = True, **kw: Any) -> None:
        super().__init__(url, **kw)
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"bad synchronous mode {synchronous!r}")
        self.synchronous = synchronous.upper()
        self.readonly = readonly
        self.journal_mode = journal_mode
        self.create_schema = create_schema and not readonly

    def _open(self) -> sqlite3.Connection:
        path = self.url.path
        if path != ":memory:" and not self.readonly:
            parent = os.path.dirname(os.path.abspath(path))
            os.makedirs(parent, exist_ok=True)
        target = f"file:{path}?mode=ro" if self.readonly else path
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT, isolation_level=None,
                               check_same_thread=False, uri=self.readonly)
        if self.journal_mode and path != ":memory:" and not self.readonly:
            conn.execute(f"PRAGMA journal_mode={self.journal_mode}")
            if self.journal_mode.upper() == "WAL":
                # Durable through a crash of the process (kill -9), not through a power cut:
                # one fsync per checkpoint instead of one per commit.
                conn.execute(f"PRAGMA synchronous={self.synchronous}")
        if self.create_schema and not _has_table(conn, "version"):
            from .schema import create_schema

            create_schema(_Bootstrap(conn))
        return conn

    def _run(self, conn: Any, sql: str, params: Sequence[Any]) -> tuple[list[Row], int]:
        cur = conn.execute(sql, [_adapt(v) for v in params])
        try:
            if cur.description is None:
                return [], cur.rowcount
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()], cur.rowcount
        finally:
            cur.close()

    def _classify(self, exc: Exception) -> DBError | None:
        if isinstance(exc, sqlite3.OperationalError):
            text = str(exc)
            # A locked or unopenable file is a (hopefully passing) unavailability; a missing
            # table or column is a query error that retrying will not fix.
            if "locked" in text or "unable to open" in text or "disk I/O" in text:
                return DBUnavailable(text, self.url.safe)
            return DBQueryError(text, self.url.safe)
        if isinstance(exc, sqlite3.Error):
            return DBQueryError(str(exc), self.url.safe)
        if isinstance(exc, OSError):
            return DBUnavailable(str(exc), self.url.safe)
        return None

    def _begin_sql(self) -> str:
        return "BEGIN IMMEDIATE"  # take the write lock now: no deadlock upgrading later

    def table_exists(self, table: str) -> bool:
        rows = self.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?",
                            [table])
        return bool(rows)


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    cur = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
    try:
        return cur.fetchone() is not None
    finally:
        cur.close()


class _Bootstrap:
    """The little `create_schema` needs, on a connection being opened (before the Database
    object has it)."""

    engine = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def table_exists(self, table: str) -> bool:
        return _has_table(self.conn, table)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self.conn.execute(sql, list(params)).close()
        return []

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # IMMEDIATE: two processes opening a new file at once create the tables once.
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
