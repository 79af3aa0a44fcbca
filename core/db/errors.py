"""What can go wrong in the database layer, as exception classes a module turns into a script
return code (-1) with one log line; the layer itself never lets a driver exception through."""

from __future__ import annotations


class DBError(Exception):
    """Any database failure. `url` is the database's URL with the password hidden."""

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class DBURLError(DBError):
    """A `db_url` that names no supported engine or cannot be read."""


class DBUnavailable(DBError):
    """The database cannot be reached now (down, restarting, unreachable); calls fail fast
    until the next reconnect attempt is due."""


class DBQueryError(DBError):
    """The database answered but refused the statement (missing table, constraint...)."""


class DBSchemaError(DBError):
    """The tables are missing or of a version we do not read."""
