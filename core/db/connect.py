"""`connect(db_url)`: the `Database` for a URL, one object per URL and process settings."""

from __future__ import annotations

import os
from typing import Any

from .api import Database
from .errors import DBURLError
from .url import POSTGRES, SQLITE, parse_db_url

# Kamailio's usrloc default (MySQL) means "not configured" here: the embedded SQLite file.
KAMAILIO_DEFAULT_URL = "mysql://kamailio:kamailiorw@localhost/kamailio"
DEFAULT_SQLITE_PATH = "/var/lib/siprouter/siprouter.db"


def default_db_url() -> str:
    """The embedded default: `$SIPROUTER_DB_URL` when set, else the SQLite file
    /var/lib/siprouter/siprouter.db."""
    return os.environ.get("SIPROUTER_DB_URL") or f"sqlite://{DEFAULT_SQLITE_PATH}"


def connect(db_url: str | None = None, **options: Any) -> Database:
    """A `Database` for `db_url` (no connection is opened until the first statement). The
    Kamailio default MySQL URL and None mean the embedded SQLite default. Options go to the
    engine (`readonly`, `journal_mode` for SQLite; `connect_timeout`, `retries`, `extra`
    connection parameters for PostgreSQL)."""
    text = db_url or default_db_url()
    if text == KAMAILIO_DEFAULT_URL:
        text = default_db_url()
    url = parse_db_url(text)
    if url.engine == SQLITE:
        from .sqlite import SQLiteDatabase

        return SQLiteDatabase(url, **options)
    if url.engine == POSTGRES:
        from .postgres import PostgresDatabase

        return PostgresDatabase(url, **options)
    raise DBURLError(f"unsupported db_url {text!r}", text)  # pragma: no cover
