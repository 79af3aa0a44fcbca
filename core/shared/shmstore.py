"""State a module's processes share through a small SQLite file in shared memory.

Workers share nothing in memory, so a module whose state every worker must see (htable's items,
pike's counters, auth's replay store, usrloc's cache) keeps it in an SQLite file in /dev/shm:
memory, not disk, so it is as volatile as Kamailio's shared memory. The main process makes the
file before the workers fork, each process opens its own connection to it (core/db never uses
a connection inherited through fork), and the process that made it removes it at exit. A server
killed with -9 cannot remove its files; the next one to start removes every file whose maker is
gone, so /dev/shm does not fill up over restarts.

Files are named `siprouter-<name>-<pid of the maker>-<random>.db`: the pid is what the sweep
checks, the random part keeps two runs in one process (tests) apart.
"""

from __future__ import annotations

import contextlib
import os
import secrets

from siprouter.core.db import Database, connect

from .segment import default_directory, sweep_dead_makers

PREFIX = "siprouter-"
# SQLite's write-ahead log and its index live beside the file and go with it.
SQLITE_FILES = ("", "-wal", "-shm")


def store_path(name: str, directory: str | None = None) -> str:
    """A new file name for `name`'s store of this server run (made by this process)."""
    return os.path.join(directory or default_directory(),
                        f"{PREFIX}{name}-{os.getpid()}-{secrets.token_hex(4)}.db")


def remove_files(path: str) -> None:
    """Remove an SQLite file and its WAL companions (those already gone are no error)."""
    for suffix in SQLITE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + suffix)


def sweep_leftovers(name: str, directory: str | None = None) -> list[str]:
    """Remove `name`'s store files whose maker is gone (a server killed with -9); the paths
    removed. Files of live processes, this one included, stay."""
    return sweep_dead_makers(f"{PREFIX}{name}-", ".db", directory, remove_files)


class SharedStore:
    """One module's shared SQLite file: `create()` in the main process before the workers fork,
    `database()` in any process, `remove_file()` at exit (it acts only in the maker). Before
    `create()` (unit tests, a tool) the store is an in-memory database private to the process.

    `schema` is the statements (CREATE ... IF NOT EXISTS) each new connection runs, so the
    file's tables exist whichever process opens it first."""

    def __init__(self, name: str, schema: tuple[str, ...] = (),
                 directory: str | None = None) -> None:
        self.name = name
        self.schema = schema
        self.directory = directory
        self.url: str | None = None
        self._db: Database | None = None
        self._owner = 0

    def create(self, url: str | None = None) -> None:
        """Make this run's file (or use `url`, which this store then never removes), after
        sweeping the files of servers that died without removing theirs."""
        self.reset()
        if url is None:
            sweep_leftovers(self.name, self.directory)
            url = f"sqlite://{store_path(self.name, self.directory)}"
            self._owner = os.getpid()
        self.url = url
        self.database()

    def reset(self) -> None:
        """Forget the store: close this process's connection (a file stays until its maker
        exits)."""
        if self._db is not None:
            self._db.close()
        self._db = None
        self.url = None

    def database(self) -> Database:
        """This process's connection (opened on first use; core/db opens a new one in a child
        that inherited it through fork)."""
        if self._db is None:
            # Volatile by design, as Kamailio's shared memory: no fsync.
            self._db = connect(self.url or "sqlite://:memory:", create_schema=False,
                               journal_mode="WAL", synchronous="OFF")
            for statement in self.schema:
                self._db.execute(statement)
        return self._db

    @property
    def path(self) -> str | None:
        """The file's path, None for the in-memory store."""
        if self.url is None or not self.url.startswith("sqlite://"):
            return None
        path = self.url[len("sqlite://"):]
        return None if path == ":memory:" else path

    def remove_file(self) -> None:
        """At exit: in the process that made the file, remove it; elsewhere, nothing (a worker
        leaving must not take the file from the others)."""
        if self._owner != os.getpid() or self.url is None:
            return
        path = self.path
        self.reset()
        if path is not None:
            remove_files(path)
