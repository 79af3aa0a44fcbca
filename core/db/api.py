"""The database API every module uses: `query`, `insert`, `update`, `delete`, `replace`, and
`transaction()`, over one connection per process that is reopened when it breaks.

Statements are built here from table and column names (checked against a strict identifier
pattern and quoted) with every value passed as a parameter; no caller ever writes SQL with
values in it. A `where` maps a column to a value (equality, or IS NULL for None) or to a `Cmp`
for `<`, `<=`, `>`, `>=`, `!=`.

Failures are `DBError`s. When the connection is lost the layer logs one line, answers
`DBUnavailable` at once (no call waits for a dead server) and tries again on a later call, after
a back-off that doubles up to `max_backoff` seconds; when it is back it logs one line again.
A connection inherited through fork() is never used nor closed by the child (closing it would
end the parent's session): the child opens its own.
"""

from __future__ import annotations

import logging
import os
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import DBError, DBUnavailable
from .url import DbUrl

log = logging.getLogger("siprouter.db")

Row = dict[str, Any]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}\Z")
_OPS = frozenset({"<", "<=", ">", ">=", "!=", "="})

# Connections a forked child inherited: kept referenced so they are never finalised (and so
# never send a goodbye on the parent's socket) in the child.
_INHERITED: list[Any] = []


@dataclass(frozen=True, slots=True)
class Cmp:
    """A comparison in a `where`: `{"expires": Cmp("<", now)}`."""

    op: str
    value: Any

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unsupported comparison {self.op!r}")


@lru_cache(maxsize=1024)  # the same few names over and over: a regex match each time adds up
def ident(name: str) -> str:
    """`name` quoted as an SQL identifier; ValueError unless it is a plain identifier (table and
    column names come from modparams: they must never carry SQL)."""
    if not _IDENT.match(name):
        raise ValueError(f"not a valid table or column name: {name!r}")
    return f'"{name}"'


def _where_sql(where: Mapping[str, Any], ph: str) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    parts, params = [], []
    for col, value in where.items():
        if value is None:
            parts.append(f"{ident(col)} IS NULL")
        elif isinstance(value, Cmp):
            parts.append(f"{ident(col)} {value.op} {ph}")
            params.append(value.value)
        else:
            parts.append(f"{ident(col)} = {ph}")
            params.append(value)
    return " WHERE " + " AND ".join(parts), params


@lru_cache(maxsize=512)
def _insert_sql(table: str, cols: tuple[str, ...], ph: str) -> str:
    return (f"INSERT INTO {ident(table)} ({', '.join(ident(c) for c in cols)}) "
            f"VALUES ({', '.join([ph] * len(cols))})")


@lru_cache(maxsize=512)
def _replace_sql(table: str, cols: tuple[str, ...], keys: tuple[str, ...], ph: str) -> str:
    updates = [c for c in cols if c not in keys]
    action = ("DO UPDATE SET " + ", ".join(f"{ident(c)} = excluded.{ident(c)}" for c in updates)
              if updates else "DO NOTHING")
    return (f"{_insert_sql(table, cols, ph)} ON CONFLICT "
            f"({', '.join(ident(k) for k in keys)}) {action}")


class Database(ABC):
    """One database, one connection per process, reconnected with back-off."""

    placeholder = "?"
    engine = ""

    def __init__(self, url: DbUrl, *, max_backoff: float = 10.0, retries: int = 1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = url
        self.max_backoff = max_backoff
        self.retries = retries  # immediate reconnect-and-retry on a broken connection
        self.clock = clock
        self._conn: Any = None
        self._pid = 0
        self._down_since: float | None = None
        self._next_try = 0.0
        self._backoff = 0.0
        self._in_tx = 0

    # --- what a backend provides ------------------------------------------------------------

    @abstractmethod
    def _open(self) -> Any:
        """A new driver connection (autocommit); raises the driver's error."""

    @abstractmethod
    def _run(self, conn: Any, sql: str, params: Sequence[Any]) -> tuple[list[Row], int]:
        """Execute one statement: (rows as dicts, affected row count)."""

    @abstractmethod
    def _classify(self, exc: Exception) -> DBError | None:
        """The DBError for a driver exception (DBUnavailable when the connection is unusable),
        or None when `exc` is not the driver's."""

    @abstractmethod
    def table_exists(self, table: str) -> bool:
        """Whether `table` exists in the database."""

    def _begin_sql(self) -> str:
        return "BEGIN"

    def _close_quietly(self, conn: Any) -> None:
        try:
            conn.close()
        except Exception:  # a broken connection may fail to close; it is dropped either way
            pass

    # --- connection ---------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        """False while the database is known to be down (before the next retry)."""
        return self._down_since is None

    def _connection(self) -> Any:
        if self._conn is not None and self._pid != os.getpid():
            _INHERITED.append(self._conn)  # the parent's: never touch it here
            self._conn = None
        if self._conn is not None:
            return self._conn
        now = self.clock()
        if self._down_since is not None and now < self._next_try:
            raise DBUnavailable(f"database {self.url.safe} unavailable "
                                f"(next try in {self._next_try - now:.1f} s)", self.url.safe)
        try:
            self._conn = self._open()
        except Exception as exc:
            err = self._classify(exc)
            if err is None:
                raise
            self._went_down(str(err))
            raise DBUnavailable(f"database {self.url.safe} unavailable: {err}",
                                self.url.safe) from None
        self._pid = os.getpid()
        if self._down_since is not None:
            log.info("db: %s reconnected", self.url.safe)
        self._down_since = None
        self._backoff = 0.0
        return self._conn

    def _went_down(self, reason: str) -> None:
        now = self.clock()
        if self._down_since is None:
            self._down_since = now
            log.error("db: %s unavailable: %s; reconnecting on later calls",
                      self.url.safe, reason.splitlines()[0] if reason else "error")
        self._backoff = min(self.max_backoff, max(0.5, self._backoff * 2))
        self._next_try = now + self._backoff

    def _drop(self) -> None:
        if self._conn is not None:
            self._close_quietly(self._conn)
        self._conn = None

    def close(self) -> None:
        """Close this process's connection (the next call opens a new one)."""
        if self._conn is not None and self._pid == os.getpid():
            self._close_quietly(self._conn)
        self._conn = None

    # --- statements -----------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one parametrised statement; its rows (empty for writes)."""
        return self._execute(sql, params)[0]

    def _execute(self, sql: str, params: Sequence[Any]) -> tuple[list[Row], int]:
        attempts = 0 if self._in_tx else self.retries
        while True:
            conn = self._connection()
            try:
                return self._run(conn, sql, params)
            except Exception as exc:
                err = self._classify(exc)
                if err is None:
                    raise
                if not isinstance(err, DBUnavailable):
                    raise err from None
                self._drop()
                if attempts > 0:  # a stale connection (server restarted): one fresh try
                    attempts -= 1
                    continue
                self._went_down(str(err))
                raise err from None

    def query(self, table: str, columns: Sequence[str] | None = None,
              where: Mapping[str, Any] | None = None, order: Sequence[str] = (),
              limit: int | None = None) -> list[Row]:
        """Rows of `table` (the given columns, or all) matching `where`, ordered by `order`
        (a leading `-` sorts that column descending)."""
        ph = self.placeholder
        cols = ", ".join(ident(c) for c in columns) if columns else "*"
        where_sql, params = _where_sql(where or {}, ph)
        sql = f"SELECT {cols} FROM {ident(table)}{where_sql}"
        if order:
            sql += " ORDER BY " + ", ".join(
                f"{ident(o[1:])} DESC" if o.startswith("-") else ident(o) for o in order)
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._execute(sql, params)[0]

    def count(self, table: str, where: Mapping[str, Any] | None = None,
              distinct: Sequence[str] = ()) -> int:
        """How many rows (or distinct value combinations of `distinct`) match `where`."""
        where_sql, params = _where_sql(where or {}, self.placeholder)
        if distinct:
            inner = ", ".join(ident(c) for c in distinct)
            sql = (f"SELECT COUNT(*) AS n FROM (SELECT DISTINCT {inner} FROM {ident(table)}"
                   f"{where_sql}) AS d")
        else:
            sql = f"SELECT COUNT(*) AS n FROM {ident(table)}{where_sql}"
        rows = self._execute(sql, params)[0]
        return int(rows[0]["n"]) if rows else 0

    def insert(self, table: str, values: Mapping[str, Any], *,
               unless_exists: Sequence[str] = ()) -> None:
        """Insert one row; with `unless_exists` (the columns of a unique constraint) a row that
        would clash with an existing one is skipped instead of failing."""
        cols = tuple(values)
        sql = _insert_sql(table, cols, self.placeholder)
        if unless_exists:
            sql += f" ON CONFLICT ({', '.join(ident(k) for k in unless_exists)}) DO NOTHING"
        self._execute(sql, list(values.values()))

    def update(self, table: str, values: Mapping[str, Any],
               where: Mapping[str, Any]) -> int:
        """Update the rows matching `where`; how many there were."""
        ph = self.placeholder
        sets = ", ".join(f"{ident(c)} = {ph}" for c in values)
        where_sql, params = _where_sql(where, ph)
        return self._execute(f"UPDATE {ident(table)} SET {sets}{where_sql}",
                             [*values.values(), *params])[1]

    def delete(self, table: str, where: Mapping[str, Any] | None = None) -> int:
        """Delete the rows matching `where` (all rows for an empty one); how many."""
        where_sql, params = _where_sql(where or {}, self.placeholder)
        return self._execute(f"DELETE FROM {ident(table)}{where_sql}", params)[1]

    def replace(self, table: str, values: Mapping[str, Any], keys: Sequence[str]) -> None:
        """Insert the row, or update it when a row with the same `keys` (a unique constraint)
        exists."""
        self._execute(_replace_sql(table, tuple(values), tuple(keys), self.placeholder),
                      list(values.values()))

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """Statements in the block commit together or not at all (nesting joins the outer
        transaction)."""
        if self._in_tx:
            self._in_tx += 1
            try:
                yield self
            finally:
                self._in_tx -= 1
            return
        self._execute(self._begin_sql(), ())
        self._in_tx = 1
        try:
            yield self
        except BaseException:
            self._in_tx = 0
            if self._conn is not None:
                try:
                    self._run(self._conn, "ROLLBACK", ())
                except Exception:  # the connection broke: nothing to roll back any more
                    self._drop()
            raise
        try:
            self._execute("COMMIT", ())  # no retry on a new connection: the work is gone
        finally:
            self._in_tx = 0
