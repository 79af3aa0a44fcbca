"""PostgreSQL through psycopg 3 (Kamailio's db_postgres).

Bounded waits so a worker never hangs on a database that went away: `connect_timeout` for
connecting, `tcp_user_timeout` and keepalives so a silent peer is noticed, and a
`statement_timeout` on the server side. The schema is made by `siprouter db init` (or Kamailio's
kamdbctl); nothing is created implicitly here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .api import Database, Row
from .errors import DBError, DBQueryError, DBUnavailable
from .url import DbUrl

try:  # psycopg is a dependency; the import is guarded so an SQLite-only host still runs
    import psycopg
    from psycopg.rows import dict_row
except ImportError:  # pragma: no cover - exercised only where psycopg is missing
    psycopg = None  # type: ignore[assignment]


class PostgresDatabase(Database):
    """A PostgreSQL database."""

    placeholder = "%s"
    engine = "postgres"

    def __init__(self, url: DbUrl, *, connect_timeout: int = 2, statement_timeout_ms: int = 5000,
                 extra: dict[str, str] | None = None, **kw: Any) -> None:
        super().__init__(url, **kw)
        self.connect_timeout = max(1, connect_timeout)
        self.statement_timeout_ms = statement_timeout_ms
        self.extra = dict(extra or {})

    def conninfo(self) -> dict[str, Any]:
        """Keyword arguments for psycopg.connect (also used by tests and the CLI)."""
        u = self.url
        info: dict[str, Any] = {
            "host": u.host, "dbname": u.database, "connect_timeout": self.connect_timeout,
            "tcp_user_timeout": self.connect_timeout * 1000, "keepalives": 1,
            "keepalives_idle": 10, "keepalives_interval": 2, "keepalives_count": 3,
            "options": f"-c statement_timeout={self.statement_timeout_ms}",
            "application_name": "siprouter",
        }
        if u.port:
            info["port"] = u.port
        if u.user:
            info["user"] = u.user
        if u.password:
            info["password"] = u.password
        info.update(self.extra)
        return info

    def _open(self) -> Any:
        if psycopg is None:
            raise DBUnavailable("psycopg is not installed (pip install 'psycopg[binary]')",
                                self.url.safe)
        return psycopg.connect(autocommit=True, row_factory=dict_row, **self.conninfo())

    def _run(self, conn: Any, sql: str, params: Sequence[Any]) -> tuple[list[Row], int]:
        with conn.cursor() as cur:
            cur.execute(sql, list(params) if params else None)
            rows = cur.fetchall() if cur.description is not None else []
            return rows, cur.rowcount

    def _classify(self, exc: Exception) -> DBError | None:
        if isinstance(exc, DBError):
            return exc
        if psycopg is None:
            return None
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # OperationalError covers a refused or lost connection and a server shutting down;
        # a closed connection object says InterfaceError. Both: reconnect later.
        if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
            return DBUnavailable(text, self.url.safe)
        if isinstance(exc, psycopg.Error):
            return DBQueryError(text, self.url.safe)
        return None

    def table_exists(self, table: str) -> bool:
        rows = self.execute("SELECT 1 AS x FROM information_schema.tables "
                            "WHERE table_schema = current_schema() AND table_name = %s", [table])
        return bool(rows)
