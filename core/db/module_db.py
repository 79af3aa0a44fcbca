"""`ModuleDatabase`: the database a module's `db_url` names, as every DB-backed module uses it.

A module (alias_db, auth_db, domain...) asks for its database on each call: the connection is
made on first use in each process (core/db never uses one inherited through fork), and made
again when `db_url` has changed (tests, tools call `configure`). A failure is a `DBError`, or a
`ValueError` for a table or column name from a modparam or the script that is not an
identifier; a script function answers either with one log line and its failure code
(`answer`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .api import Database
from .connect import connect
from .errors import DBError

# The read-only default URL of Kamailio's modules names a MySQL server siprouter does not
# speak: it means "not configured", the embedded default database.
KAMAILIO_RO_DEFAULT_URL = "mysql://kamailioro:kamailioro@localhost/kamailio"

T = TypeVar("T")


class ModuleDatabase:
    """Module `name`'s database at the URL `url_getter()` returns (read on every call, so a
    changed `db_url` takes effect). Calling the object gives this process's `Database`."""

    def __init__(self, name: str, url_getter: Callable[[], str | None]) -> None:
        self.name = name
        self.url_getter = url_getter
        self._db: Database | None = None
        self._url: str | None = None

    def url(self) -> str | None:
        """The URL to connect to: None (the embedded default) for an empty `db_url` or
        Kamailio's read-only default."""
        url = self.url_getter()
        return url if url and url != KAMAILIO_RO_DEFAULT_URL else None

    def __call__(self) -> Database:
        """This process's database (connected on first use and when `db_url` changed)."""
        url = self.url()
        if self._db is None or self._url != url:
            self._db = connect(url)
            self._url = url
        return self._db

    def close(self) -> None:
        """Close this process's connection; the next call connects again."""
        if self._db is not None:
            self._db.close()
        self._db = None

    def configure(self, settings: Any, params: Mapping[str, Any]) -> None:
        """Reset the module's settings (a dataclass instance, changed in place so every holder
        sees it) to their defaults updated by `params`, and start with a fresh connection.
        ValueError naming the module for a parameter the settings do not have (before any
        change is made)."""
        fresh = type(settings)()
        for name, value in params.items():
            if not hasattr(fresh, name):
                raise ValueError(f"{self.name}: unknown parameter {name}")
            setattr(fresh, name, value)
        for name, value in vars(fresh).items():
            setattr(settings, name, value)
        self.close()

    @staticmethod
    def answer(log: logging.Logger, what: str, action: Callable[[], T], failed: T) -> T:
        """`action()`, or `failed` when it raises DBError or ValueError, logged as
        `<what>: <error>` (the script gets a code, never an exception)."""
        try:
            return action()
        except (DBError, ValueError) as exc:
            log.error("%s: %s", what, exc)
            return failed
