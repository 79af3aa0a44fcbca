"""Kamailio's `usrloc` module: the location table the registrar saves to and looks up.

Where bindings live (ARCHITECTURE, "Processes and state": workers share nothing in memory, so
state every process must see lives in the database layer):

- the *cache*: for db_mode 0, 1 and 2, an SQLite file in shared memory (/dev/shm) that every
  process of one server (workers, the RPC process) opens; it is created empty when the server
  starts and removed when it stops, so it is as volatile as Kamailio's shared memory.
- the *database*: `db_url` (SQLite by default, PostgreSQL for several nodes), with Kamailio's
  `location` table.

    db_mode 0  cache only (nothing survives a restart)
    db_mode 1  write-through: each change goes to the database, then the cache; reads use the
               cache; the cache is loaded from the database at start (db_load)
    db_mode 2  write-back: changes go to the cache and are marked; every `timer_interval`
               seconds (and at a clean stop) the marked ones are written to the database
    db_mode 3  database only: every node reads and writes the database (several nodes behind
               one domain share one PostgreSQL)

The timer (every `timer_interval` s, in each worker's event loop) removes expired bindings and,
in db_mode 2, flushes. Lookups never return an expired binding, timer or not.

Module parameters reach a worker through the server's management side (the parsed config);
`configure()` sets them directly (tests, tools).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import fcntl
import itertools
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from siprouter.core.db import (
    Database,
    DBError,
    DBSchemaError,
    connect,
    parse_db_url,
    table_version,
)
from siprouter.core.db.location import Binding, LocationTable
from siprouter.core.db.schema import BY_NAME
from siprouter.core.exports import ModuleExports
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime.modinit import module_env
from siprouter.core.shared import shmstore
from siprouter.core.shared.counters import COUNTERS
from siprouter.core.shared.segment import default_directory

log = logging.getLogger("siprouter.usrloc")

exports = ModuleExports("usrloc", doc="User location storage for the registrar")

# Parameters
exports.param("ruid_column", str, "ruid", doc="Name of database column containing the Kamailio record unique id.")
exports.param("user_column", str, "username", doc="Name of database column containing usernames.")
exports.param("domain_column", str, "domain", doc="Name of database column containing domains.")
exports.param("contact_column", str, "contact", doc="Name of database column containing contacts.")
exports.param("expires_column", str, "expires", doc="Name of database column containing expires value.")
exports.param("q_column", str, "q", doc="Name of database column containing q values.")
exports.param("callid_column", str, "callid", doc="Name of database column containing Call-ID values.")
exports.param("cseq_column", str, "cseq", doc="Name of database column containing Cseq.")
exports.param("flags_column", str, "flags", doc="Name of database column to save the internal flags of the record.")
exports.param("cflags_column", str, "cflags", doc="Name of database column to save the branch/contact flags of the record.")
exports.param("db_url", str, "mysql://kamailio:kamailiorw@localhost/kamailio", doc="URL of the database that should be used.")
exports.param("timer_interval", int, 60, doc="Number of seconds between two timer runs.")
exports.param("db_mode", int, 0, doc="The usrloc module can utilize a database for persistent contact storage.")
exports.param("db_load", int, 1, doc="Determine if the usrloc module should load contacts from the database storage during...")
exports.param("db_insert_update", int, 0, doc="Determine if the usrloc module should do an update when a duplicate key is found while...")
exports.param("use_domain", int, 0, doc="If the domain part of the user should be also saved and used for identifying the user...")
exports.param("desc_time_order", int, 0, doc="If the user's contacts should be kept timestamp ordered; otherwise the contact will be...")
exports.param("user_agent_column", str, "user_agent", doc="Name of database column containing user-agent values.")
exports.param("received_column", str, "received", doc="Name of database column containing the source IP, port, and protocol from the REGISTER...")
exports.param("path_column", str, "path", doc="Name of database column containing the Path header.")
exports.param("socket_column", str, "socket", doc="Name of database column containing the received socket information (IP:port) for the...")
exports.param("methods_column", str, "methods", doc="Name of database column containing supported methods.")
exports.param("instance_column", str, "instance", doc="Name of database column containing the SIP instance ID (GRUU - RFC5627).")
exports.param("reg_id_column", str, "reg_id", doc="Name of database table column containing the value for reg-id.")
exports.param("server_id_column", str, "server_id", doc="Name of database table column containing the value for server id.")
exports.param("connection_id_column", str, "connection_id", doc="Name of database table column containing the value for connection id.")
exports.param("keepalive_column", str, "keepalive", doc="Name of database table column containing the value for keepalive status.")
exports.param("partition_column", str, "partition", doc="Name of database table column containing the value for partition id.")
exports.param("matching_mode", int, 0, doc="What contact matching algorithm to be used.")
exports.param("cseq_delay", int, 20, doc="Delay (in seconds) for accepting as retransmissions register requests with same Call-ID...")
exports.param("fetch_rows", int, 2000, doc="The number of the rows to be fetched at once from database when loading the location...")
exports.param("hash_size", int, 10, doc="The number of entries of the hash table used by usrloc to store the location records is...")
exports.param("nat_bflag", int, None, doc="The index of the branch flag to be used as NAT marker (if the contact is or not natted).")
exports.param("handle_lost_tcp", int, 0, doc="If set to 1, Kamailio will remove location records made via TCP/TLS/WS/WSS transports...")
exports.param("close_expired_tcp", int, 0, doc="If set to 1, Kamailio will close the TCP connection when a contact has expired, if the...")
exports.param("skip_remote_socket", int, 0, doc="If set to 1, Kamailio will skip location record when loading from database, if socket...")
exports.param("preload", str, None, multi=True, doc="Preload location table given as value.")
exports.param("db_update_as_insert", int, 0, doc="Set this parameter if you want to do INSERT DB operations instead of UPDATE DB operations.")
exports.param("timer_procs", int, 0, doc="Number of timer processes to be started by module.")
exports.param("db_check_update", int, 0, doc="Set this parameter to 1 if you want to do DB INSERT if the number of affected rows by...")
exports.param("xavp_contact", str, None, doc="The name of XAVP storing the attributes per contact.")
exports.param("db_ops_ruid", int, 1, doc="If set to 1, database queries for update or delete are done using ruid value.")
exports.param("expires_type", int, 0, doc="If set to 1, Kamailio expects to deal with BIGINT type on database columns for expires...")
exports.param("db_raw_fetch_type", int, 0, doc="This affect DB-only mode and controls what kind of raw query is used to fetch the...")
exports.param("db_insert_null", int, 0, doc="If set to 1, the insert operation to database will add null values in the statement.")
exports.param("server_id_filter", int, 0, doc="Enable (1) or disable (0) filter records by server_id on load and during cleaning of...")
exports.param("db_timer_clean", int, 0, doc="Enable (1) or disable (0) cleaning of expired db records on timer basis for db_mode...")
exports.param("rm_expired_delay", int, 0, doc="Specify the number of seconds to delay the removal of expired records.")
exports.param("version_table", int, 1, doc="If set to 0, the module will skip checking the version for location table.")
exports.param("ka_mode", int, 0, doc="Keepalive mode - control the internal keepalive mechanism.")
exports.param("ka_from", str, "sip:server@kamailio.org", doc="The SIP URI to be set in the From header of the keepalive requests.")
exports.param("ka_domain", str, "kamailio.org", doc="The domain to be set in To header URI if the multi-domain is not enabled.")
exports.param("ka_method", str, "OPTIONS", doc="The SIP method type for keepalive requests.")
exports.param("ka_filter", int, 0, doc="Set filters for keepalive processing.")
exports.param("ka_timeout", int, 0, doc="The parameter sets the interval in seconds after which a contact is removed from location...")
exports.param("ka_loglevel", int, 255, doc="The level to print the log message when the keepalive response is received.")
exports.param("ka_logmsg", str, "to-uri: [$tu] remote-addr: [$sas]", doc="The formatted log specification to be added to the message printed when the keepalive is...")
exports.param("load_rank", int, 1, doc="Allows to set the rank of the child SIP worker to load the location records.")
exports.param("db_clean_tcp", int, 0, doc="If set to 1, when Kamailio starts it removes the contacts with transport TCP, TLS or WSS...")


# --- settings -------------------------------------------------------------------------------------

LOCATION_VERSION = 9  # the location table version this module reads (Kamailio 5.x)
_COLUMN_PARAMS = {
    "ruid": "ruid_column", "user": "user_column", "domain": "domain_column",
    "contact": "contact_column", "expires": "expires_column", "q": "q_column",
    "callid": "callid_column", "cseq": "cseq_column", "flags": "flags_column",
    "cflags": "cflags_column", "user_agent": "user_agent_column", "received": "received_column",
    "path": "path_column", "socket": "socket_column", "methods": "methods_column",
    "instance": "instance_column", "reg_id": "reg_id_column", "server_id": "server_id_column",
    "connection_id": "connection_id_column", "keepalive": "keepalive_column",
    "partition": "partition_column",
}


@dataclass
class UsrlocSettings:
    """The module parameters usrloc acts on (others are accepted and ignored)."""

    db_url: str | None = None
    db_mode: int = 0
    timer_interval: int = 60
    use_domain: bool = False
    hash_size: int = 10  # the table has 2**hash_size slots (what ul.dump reports)
    nat_bflag: int | None = None
    matching_mode: int = 0
    cseq_delay: int = 20
    db_load: bool = True
    desc_time_order: bool = False
    version_table: bool = True
    columns: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> UsrlocSettings:
        """From modparam values (name -> value); unknown names are ignored."""
        def num(name: str, default: int) -> int:
            v = params.get(name)
            return default if v is None else int(v)

        mode = num("db_mode", 0)
        if mode not in (0, 1, 2, 3):
            raise ValueError(f"usrloc: db_mode {mode} is not supported (0, 1, 2 or 3)")
        nat = params.get("nat_bflag")
        columns = {attr: str(params[p]) for attr, p in _COLUMN_PARAMS.items() if p in params}
        return cls(db_url=params.get("db_url"), db_mode=mode,
                   timer_interval=max(1, num("timer_interval", 60)),
                   use_domain=bool(num("use_domain", 0)),
                   hash_size=min(max(num("hash_size", 10), 1), 16),
                   nat_bflag=None if nat is None else int(nat),
                   matching_mode=num("matching_mode", 0), cseq_delay=num("cseq_delay", 20),
                   db_load=bool(num("db_load", 1)),
                   desc_time_order=bool(num("desc_time_order", 0)),
                   version_table=bool(num("version_table", 1)), columns=columns)


# --- the cache file shared by one server's processes ----------------------------------------------

# Taken when the module is first imported: in the server's main process, before any fork, so
# every worker and the RPC process name the same cache file.
_OWNER_PID = os.getpid()
_RUN_ID = f"{_OWNER_PID}-{secrets.token_hex(4)}"
# The file is named as core/shared/shmstore names a SharedStore's, so its sweep of files left by
# a killed server finds usrloc's too. The cache is not a SharedStore: its path is fixed at import
# (above) and its removal at exit goes with the write-back of db_mode 2.
_CACHE_NAME = "usrloc"


def cache_path() -> str:
    """The cache file of this server run."""
    return os.path.join(default_directory(), f"{shmstore.PREFIX}{_CACHE_NAME}-{_RUN_ID}.db")


def _sweep_stale_caches() -> None:
    """Remove cache files of servers that died without cleaning up (kill -9)."""
    shmstore.sweep_leftovers(_CACHE_NAME)


def _lock_path(cache: str) -> str:
    """The write lock's file for the cache file `cache`: named like a store file (`.db`), so
    the sweep of a killed server's files takes it too."""
    return cache.removesuffix(".db") + ".lock.db"


class _WriteLock:
    """One usrloc writer at a time among a server's processes (workers, RPC), with flock() on a
    file beside the cache. Without it, two workers writing at once meet SQLite's busy handler,
    which polls with sleeps of 1 ms and more, while a write takes tens of microseconds: under
    load the workers spend their time asleep. flock() wakes the next writer as soon as the lock
    is free. The descriptor is opened in each process (an inherited one would share the lock
    with the parent)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd = -1
        self._pid = 0

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd >= 0 and self._pid == os.getpid():
            os.close(self._fd)
        self._fd, self._pid = -1, 0


# --- the service ----------------------------------------------------------------------------------

_METHODS = ("INVITE", "CANCEL", "ACK", "BYE", "INFO", "REGISTER", "SUBSCRIBE", "NOTIFY",
            "MESSAGE", "OPTIONS", "PRACK", "UPDATE", "REFER", "PUBLISH")
METHOD_BITS = {m: 1 << i for i, m in enumerate(_METHODS)}  # Kamailio's METHOD_* values


def methods_mask(allow: list[str] | None) -> int | None:
    """The bit mask of an Allow header's methods (None: no Allow header, all methods)."""
    if allow is None:
        return None
    mask = 0
    for m in allow:
        mask |= METHOD_BITS.get(m.strip().upper(), 1 << 31)  # unknown: Kamailio's METHOD_OTHER
    return mask


class _Ruids:
    """Kamailio-like unique record ids: `uloc-<process token>-<counter>`, unique across
    processes and nodes (the token is random per process)."""

    def __init__(self) -> None:
        self._pid = 0
        self._token = ""
        self._counter = itertools.count(1)

    def __call__(self) -> str:
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._token = secrets.token_hex(5)
            self._counter = itertools.count(1)
        return f"uloc-{self._token}-{next(self._counter):x}"


new_ruid = _Ruids()


def lookup_order(bindings: list[Binding], desc_time_order: bool = False) -> list[Binding]:
    """Kamailio's contact order: highest q first (no q after any q), then oldest first; with
    desc_time_order, newest first."""
    if desc_time_order:
        return sorted(bindings, key=lambda b: -b.last_modified)
    return sorted(bindings, key=lambda b: -b.q)


@dataclass
class Change:
    """One change to an AOR's bindings, as the registrar plans them."""

    op: str  # "insert" | "update" | "delete"
    binding: Binding


class Usrloc:
    """The location service of one process (see the module docstring for the modes)."""

    def __init__(self, settings: UsrlocSettings, *, clock: Callable[[], float] = time.time,
                 cache_url: str | None = None, database: Database | None = None) -> None:
        self.settings = settings
        self.clock = clock
        mode = settings.db_mode
        self.database: Database | None = None
        if mode != 0:
            self.database = database or connect(settings.db_url, retries=1)
        self.cache: Database | None = None
        self._write_lock: _WriteLock | None = None
        if mode != 3:
            url = cache_url or f"sqlite://{cache_path()}"
            if cache_url is None:
                _sweep_stale_caches()
            # The cache is volatile by design: no fsync at all.
            self.cache = connect(url, create_schema=False, journal_mode="WAL",
                                 synchronous="OFF")
            path = parse_db_url(url).path
            self._cache_is_file = path != ":memory:"
            if self._cache_is_file:
                self._write_lock = _WriteLock(_lock_path(path))
        # In db_mode 1 a local SQLite database is written under the same lock: its writers are
        # this server's processes too. Other databases take concurrent writers well.
        self._lock_db_writes = (mode == 1 and self.database is not None
                                and self.database.engine == "sqlite")
        self._cache_tables: dict[str, LocationTable] = {}
        self._db_tables: dict[str, LocationTable] = {}
        self._timer_pid = 0

    # --- tables ------------------------------------------------------------------------------

    def _db_table(self, domain: str) -> LocationTable:
        table = self._db_tables.get(domain)
        if table is None:
            assert self.database is not None
            if self.settings.version_table and domain == "location":
                version = table_version(self.database, domain)
                if version != LOCATION_VERSION:
                    raise DBSchemaError(
                        f"table {domain} has version {version}, expected {LOCATION_VERSION} "
                        "(run siprouter db init)", self.database.url.safe)
            table = LocationTable(self.database, domain, use_domain=self.settings.use_domain,
                                  columns=self.settings.columns)
            self._db_tables[domain] = table
        return table

    def _cache_table(self, domain: str) -> LocationTable:
        table = self._cache_tables.get(domain)
        if table is None:
            assert self.cache is not None
            self._prepare_cache(domain)
            table = LocationTable(self.cache, domain, use_domain=self.settings.use_domain,
                                  columns=self.settings.columns)
            self._cache_tables[domain] = table
        return table

    def _prepare_cache(self, domain: str) -> None:
        """Create the cache table for `domain` (once per server run) and, in db_mode 1 and 2,
        load the database's bindings into it."""
        cache = self.cache
        assert cache is not None
        with cache.transaction():
            cache.execute("CREATE TABLE IF NOT EXISTS usrloc_cache "
                          "(domain TEXT PRIMARY KEY, loaded INTEGER NOT NULL)")
            rows = cache.query("usrloc_cache", ["loaded"], {"domain": domain})
            if rows and rows[0]["loaded"]:
                return
            if not rows:
                location = BY_NAME["location"]
                for sql in location.statements("sqlite"):
                    cache.execute(sql.replace("location", domain))
                cache.execute(f'CREATE TABLE "{domain}_dirty" (ruid TEXT PRIMARY KEY)')
                cache.insert("usrloc_cache", {"domain": domain, "loaded": 0})
            if self.settings.db_mode in (1, 2) and self.settings.db_load:
                # Bindings written while the database was away stay: loading only adds.
                table = LocationTable(cache, domain, use_domain=self.settings.use_domain)
                loaded = self._db_table(domain).all(now=self.clock())
                for b in loaded:
                    table.insert_missing(b)
                log.info("usrloc: %d binding(s) of %s loaded from %s", len(loaded), domain,
                         self.database.url.safe if self.database else "")
            cache.update("usrloc_cache", {"loaded": 1}, {"domain": domain})

    def _reader(self, domain: str) -> LocationTable:
        return self._db_table(domain) if self.settings.db_mode == 3 else self._cache_table(domain)

    # --- reading -------------------------------------------------------------------------------

    def bindings(self, domain: str, aor: str) -> list[Binding]:
        """The unexpired bindings of `aor`, in lookup order: highest q first (a binding
        without q after those with one), then oldest first; newest first with
        desc_time_order."""
        self.ensure_timer()
        found = self._reader(domain).bindings(aor, now=self.clock())
        return lookup_order(found, self.settings.desc_time_order)

    def dump(self, domain: str) -> dict[str, list[Binding]]:
        """Every unexpired binding of `domain`, by AOR."""
        out: dict[str, list[Binding]] = {}
        for b in self._reader(domain).all(now=self.clock()):
            out.setdefault(b.aor, []).append(b)
        return out

    def natted(self, domain: str) -> list[Binding]:
        """Unexpired bindings marked with the nat_bflag (for NAT keepalives)."""
        bit = self.settings.nat_bflag
        if bit is None:
            return []
        return [b for bs in self.dump(domain).values() for b in bs if b.cflags & (1 << bit)]

    def domains(self) -> list[str]:
        """The location tables (domains) in use in this server run."""
        if self.cache is not None:
            self._cache_table("location")
            return [r["domain"] for r in self.cache.query("usrloc_cache", ["domain"],
                                                          order=["domain"])]
        return ["location"]

    # --- writing -------------------------------------------------------------------------------

    def apply(self, domain: str, changes: list[Change], *, memory_only: bool = False) -> None:
        """Make `changes` (all or none of them); DBError when the store cannot. `memory_only`
        (save() flag 0x01) skips the database in db_mode 1 and 2."""
        if not changes:
            return
        self.ensure_timer()
        now = self.clock()
        for c in changes:
            if c.op != "delete":
                c.binding.last_modified = now
                c.binding.ruid = c.binding.ruid or new_ruid()
        mode = self.settings.db_mode
        if mode == 3:
            self._write(self._db_table(domain), changes)
            return
        cache = self._cache_table(domain)
        to_db = mode == 1 and not memory_only
        if to_db and not self._lock_db_writes:
            self._write(self._db_table(domain), changes)  # the database first: it is the truth
        with self._writing():
            if to_db and self._lock_db_writes:
                self._write(self._db_table(domain), changes)
            assert self.cache is not None
            if mode != 2 or memory_only:
                self._write(cache, changes)
                return
            with self.cache.transaction():
                self._write(cache, changes)
                for c in changes:
                    self.cache.insert(f"{domain}_dirty", {"ruid": c.binding.ruid},
                                      unless_exists=["ruid"])

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the server-wide usrloc write lock (when the cache is a file)."""
        if self._write_lock is None:
            yield
            return
        with self._write_lock.held():
            yield

    @staticmethod
    def _write(table: LocationTable, changes: list[Change]) -> None:
        """Make `changes` in `table`, all or none. One change is one statement, atomic on its
        own (the usual REGISTER): no BEGIN and COMMIT around it, two round trips fewer. An
        update whose row is gone (expired meanwhile) inserts it again."""
        if len(changes) == 1:
            Usrloc._change(table, changes[0])
            return
        with table.db.transaction():
            for c in changes:
                Usrloc._change(table, c)

    @staticmethod
    def _change(table: LocationTable, c: Change) -> None:
        if c.op == "insert":
            table.insert(c.binding)
        elif c.op == "update":
            if not table.update(c.binding):
                table.insert(c.binding)
        else:
            table.delete(c.binding.ruid)

    def delete_aor(self, domain: str, aor: str) -> int:
        """Remove every binding of `aor`; how many there were."""
        gone = self._reader(domain).bindings(aor)
        self.apply(domain, [Change("delete", b) for b in gone])
        return len(gone)

    # --- timer ---------------------------------------------------------------------------------

    def expire(self) -> int:
        """Remove expired bindings everywhere they are kept; how many."""
        now = self.clock()
        total = 0
        for domain in self.domains():
            in_db = self._db_table(domain).delete_expired(now) if self.database else 0
            in_cache = (self._cache_table(domain).delete_expired(now)
                        if self.settings.db_mode != 3 else 0)
            removed = in_db if self.settings.db_mode == 3 else in_cache
            if removed and COUNTERS.has("usrloc", f"{domain}_expires"):
                COUNTERS.handle("usrloc", f"{domain}_expires").add(removed)
            total += removed
        return total

    def flush(self) -> int:
        """db_mode 2: write the marked changes to the database; how many bindings."""
        if self.settings.db_mode != 2 or self.cache is None:
            return 0
        count = 0
        for domain in self.domains():
            cache = self._cache_table(domain)
            with self.cache.transaction():  # no change slips between reading and unmarking
                ruids = [r["ruid"] for r in self.cache.query(f"{domain}_dirty", ["ruid"])]
                if not ruids:
                    continue
                present = {b.ruid: b for b in cache.all() if b.ruid in set(ruids)}
                target = self._db_table(domain)
                with target.db.transaction():
                    for ruid in ruids:
                        if ruid in present:
                            target.upsert(present[ruid])
                        else:
                            target.delete(ruid)
                self.cache.delete(f"{domain}_dirty")
                count += len(ruids)
        return count

    def timer(self) -> None:
        """One timer run: expire, then flush (db_mode 2). Errors are logged, never raised."""
        try:
            self.expire()
            self.flush()
        except DBError as exc:
            log.error("usrloc timer: %s", exc)

    def ensure_timer(self) -> None:
        """Start the timer in this process's event loop (once), when there is one running."""
        if self._timer_pid == os.getpid():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timer_pid = os.getpid()
        interval = self.settings.timer_interval

        def tick() -> None:
            self.timer()
            loop.call_later(interval, tick)

        loop.call_later(interval, tick)

    def close(self, *, remove_cache: bool = False) -> None:
        """Flush (db_mode 2), close the connections, and remove the cache file if asked."""
        try:
            self.flush()
        except DBError as exc:
            # Bindings not yet written back are lost with the cache: say so, loudly.
            log.error("usrloc: could not write bindings back to the database at exit: %s", exc)
        for db in (self.cache, self.database):
            if db is not None:
                db.close()
        if self._write_lock is not None:
            self._write_lock.close()
        if remove_cache and self.cache is not None and self._cache_is_file:
            shmstore.remove_files(self.cache.url.path)
            shmstore.remove_files(_lock_path(self.cache.url.path))


# --- the process's service --------------------------------------------------------------------

_service: Usrloc | None = None
_warned = False


def configure(params: Mapping[str, Any] | UsrlocSettings, **options: Any) -> Usrloc:
    """Set this process's usrloc from modparam values (or settings); returns the service."""
    global _service
    if _service is not None:
        _service.close()
    settings = params if isinstance(params, UsrlocSettings) else UsrlocSettings.from_params(params)
    _service = Usrloc(settings, **options)
    return _service


def reset() -> None:
    """Forget this process's service (tests)."""
    global _service
    if _service is not None:
        _service.close()
    _service = None


def modparams_from_server(module: str) -> dict[str, Any] | None:
    """`module`'s modparam values from the running server's config (None when this process is
    not part of a server)."""
    env = module_env(module)
    if env is None:
        return None
    return {name: values[-1] for name, values in env.params.items() if values}


def service() -> Usrloc:
    """This process's usrloc, set up from the server's config on first use."""
    global _warned
    if _service is None:
        params = modparams_from_server("usrloc")
        if params is None and not _warned:
            _warned = True
            log.warning("usrloc: no server config in this process: module defaults in use")
        return configure(params or {})
    return _service


@atexit.register
def _at_exit() -> None:
    # Only the process that owns the cache (the server's main process) flushes and removes it;
    # workers leave through os._exit and never get here. With several workers the main process
    # never used usrloc itself: it sets the service up now, to flush (db_mode 2).
    if os.getpid() != _OWNER_PID:
        return
    if _service is None and not os.path.exists(cache_path()):
        return
    try:
        (_service or service()).close(remove_cache=True)
    except (DBError, ValueError) as exc:
        log.error("usrloc: at exit: %s", exc)


# --- RPC commands -------------------------------------------------------------------------------

NOT_SET = "[not set]"


def _rpc_service() -> Usrloc:
    try:
        return service()
    except (DBError, ValueError) as exc:
        raise RPCFault(500, f"usrloc: {exc}") from None


def _table(svc: Usrloc, table: str) -> str:
    if table == "location" or table in svc.domains():
        return table
    if svc.database is not None and svc.database.table_exists(table):
        return table
    raise RPCFault(500, "Domain table not found")


# Kamailio's ul.* commands read their own parameters and answer a short list this way.
_NEED_TABLE_AOR = "Not enough parameters (table and AOR to lookup)"


def _need(*values: str, fault: str = _NEED_TABLE_AOR) -> None:
    if not all(values):
        raise RPCFault(500, fault)


def core_hash(text: str) -> int:
    """Kamailio's core_hash() of a string (hashes.h): the AOR hash usrloc prints as HashID
    and uses to pick a slot of its table (the low bits)."""
    data = text.encode("utf-8", "surrogateescape")
    # C `char` is signed on the platforms Kamailio is built for: octets above 127 count as
    # negative numbers.
    octets = [b - 256 if b > 127 else b for b in data]
    mask = 0xFFFFFFFF
    h = 0
    i = 0
    while i <= len(octets) - 4:
        v = ((octets[i] << 24) + (octets[i + 1] << 16) + (octets[i + 2] << 8)
             + octets[i + 3]) & mask
        h = (h + (v ^ (v >> 3))) & mask
        i += 4
    v = 0
    for octet in octets[i:]:
        v = ((v << 8) + octet) & mask
    h = (h + (v ^ (v >> 3))) & mask
    return ((h + (h >> 11)) + ((h >> 13) + (h >> 23))) & mask


def _signed32(value: int) -> int:
    """How Kamailio prints an unsigned 32-bit value through an RPC "d" (int) field."""
    return value - (1 << 32) if value >= 1 << 31 else value


def _rpc_aor(aor: str, svc: Usrloc) -> str:
    """An AOR given to ul.lookup/ul.rm as usrloc stores it: without use_domain the domain is
    cut off; lower-cased unless registrar's case_sensitive is set."""
    user, at, _ = aor.partition("@")
    if svc.settings.use_domain:
        if not at:
            raise RPCFault(500, "Domain missing in AOR")
    else:
        aor = user
    return aor if _registrar_case_sensitive() else aor.lower()


def _registrar_case_sensitive() -> bool:
    # registrar's runtime parameter (Kamailio reads the same one); imported here because
    # registrar builds on this module.
    from siprouter.modules import registrar
    return bool(registrar.param("case_sensitive"))


def contact_info(b: Binding, now: float, state: str = "CS_SYNC") -> dict[str, Any]:
    """One binding as Kamailio's ul.dump prints a contact (`state`: CS_NEW when nothing is
    written to a database, as in db_mode 0)."""
    return {"Contact": {
        "Address": b.contact,
        "Expires": "permanent" if b.expires == 0 else int(b.expires - now),
        "Q": b.q,
        "Call-ID": b.callid,
        "CSeq": b.cseq,
        "User-Agent": b.user_agent or NOT_SET,
        "Received": b.received or NOT_SET,
        "Path": b.path or NOT_SET,
        "State": state,
        "Flags": b.flags,
        "CFlags": b.cflags,
        "Socket": b.socket or NOT_SET,
        "Methods": -1 if b.methods is None else b.methods,
        "Ruid": b.ruid,
        "Instance": b.instance or NOT_SET,
        "Reg-Id": b.reg_id,
        "Server-Id": b.server_id,
        "Tcpconn-Id": b.connection_id or -1,
        "Keepalive": b.keepalive,
        # No keepalive probing here: the last "keepalive" is the last registration.
        "Last-Keepalive": int(b.last_modified),
        "KA-Roundtrip": 0,
        "Last-Modified": int(b.last_modified),
    }}


def _calling(what: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except DBError as exc:
        raise RPCFault(500, f"{what}: {exc}") from None


def _state(svc: Usrloc) -> str:
    return "CS_NEW" if svc.settings.db_mode == 0 else "CS_SYNC"


@exports.rpc("ul.dump", "Dumps the content of the location table", ("brief",))
def rpc_dump(ctx: Any, brief: str = "") -> dict[str, Any]:
    """Dumps the content of the location table ("brief": the AORs only)"""
    svc = _rpc_service()
    now = svc.clock()
    state = _state(svc)
    size = 1 << svc.settings.hash_size
    domains = []
    for domain in _calling("ul.dump", svc.domains):
        by_aor: dict[str, list[Binding]] = _calling("ul.dump", partial(svc.dump, domain))
        # Kamailio walks its hash table slot by slot: AORs come out in slot order, and
        # Max-Slots is the fullest slot's count.
        hashes = {aor: core_hash(aor) for aor in by_aor}
        slots: dict[int, int] = {}
        for h in hashes.values():
            slots[h & (size - 1)] = slots.get(h & (size - 1), 0) + 1
        order = sorted(by_aor, key=lambda aor: (hashes[aor] & (size - 1), aor))
        aors: list[dict[str, Any]]
        if brief == "brief":
            aors = [{"AoR": aor} for aor in order]
        else:
            aors = [{"Info": {"AoR": aor, "HashID": _signed32(hashes[aor]),
                              "Contacts": [contact_info(b, now, state) for b in by_aor[aor]]}}
                    for aor in order]
        domains.append({"Domain": {"Domain": domain, "Size": size, "AoRs": aors,
                                   "Stats": {"Records": len(aors),
                                             "Max-Slots": max(slots.values(), default=0)}}})
    return {"Domains": domains}


@exports.rpc("ul.lookup", "Looks up the contents of an AOR entry in the location table",
             ("table", "AOR"))
def rpc_lookup(ctx: Any, table: str = "", aor: str = "") -> dict[str, Any]:
    """Looks up the contents of an AOR entry in the location table"""
    _need(table, aor)
    svc = _rpc_service()
    domain = _table(svc, table)
    aor = _rpc_aor(aor, svc)
    found = _calling("ul.lookup", lambda: svc.bindings(domain, aor))
    if not found:
        raise RPCFault(500, "AOR not found in location table")
    now = svc.clock()
    return {"AoR": aor, "Contacts": [contact_info(b, now, _state(svc)) for b in found]}


@exports.rpc("ul.rm", "Deletes an entire AOR record (including its contacts).", ("table", "AOR"))
def rpc_rm(ctx: Any, table: str = "", aor: str = "") -> None:
    """Deletes an entire AOR record (including its contacts); an AOR that is not there is
    no error, as in Kamailio."""
    _need(table, aor)
    svc = _rpc_service()
    domain = _table(svc, table)
    aor = _rpc_aor(aor, svc)
    _calling("ul.rm", lambda: svc.delete_aor(domain, aor))


@exports.rpc("ul.rm_contact", "Deletes a contact from an AOR record.", ("table", "AOR", "contact"))
def rpc_rm_contact(ctx: Any, table: str = "", aor: str = "", contact: str = "") -> None:
    """Deletes a contact from an AOR record."""
    _need(table, aor, contact, fault="Not enough parameters (table, AOR and contact)")
    svc = _rpc_service()
    domain = _table(svc, table)
    aor = _rpc_aor(aor, svc)
    found = _calling("ul.rm_contact", lambda: svc.bindings(domain, aor))
    if not found:
        raise RPCFault(404, "AOR not found")
    gone = [Change("delete", b) for b in found if b.contact == contact]
    if not gone:
        raise RPCFault(404, "Contact not found")
    _calling("ul.rm_contact", lambda: svc.apply(domain, gone))


@exports.rpc("ul.flush", "Triggers the flush of USRLOC memory cache into DB.", ())
def rpc_flush(ctx: Any) -> None:
    """Triggers the flush of USRLOC memory cache into DB."""
    svc = _rpc_service()
    _calling("ul.flush", svc.flush)


def _unset(v: str | None) -> str:
    return "" if v in (None, "0", ".") else str(v)


# A parameter ul.add was not given (no real value is this low).
_ABSENT = -(2 ** 63)


@exports.rpc("ul.add", "Adds a new contact for a user AOR.",
             ("table", "AOR", "contact", "expires", "Q", "path", "flags", "cflags", "methods",
              "received", "socket"))
def rpc_add(ctx: Any, table: str = "", aor: str = "", contact: str = "",
            expires: int = _ABSENT, q: float = _ABSENT, path: str = "", flags: int = _ABSENT,
            cflags: int = _ABSENT, methods: int = _ABSENT, received: str = ".",
            socket: str = ".") -> None:
    """Adds a new contact for a user AOR (expires 0: a permanent binding)."""
    if _ABSENT in (expires, q, flags, cflags, methods) or not (table and aor and contact
                                                                and path):
        raise RPCFault(500, "Not enough parameters or wrong format")
    svc = _rpc_service()
    domain = _table(svc, table)
    now = svc.clock()
    if expires < 0 or not -1 <= q <= 1:
        raise RPCFault(400, "Bad expires or q value")
    b = Binding(aor=aor, contact=contact, expires=now + expires if expires else 0,
                q=round(q * 1000) if q >= 0 else -1, path=_unset(path), flags=flags,
                cflags=cflags, methods=None if methods in (-1, 0xFFFFFFFF) else methods,
                received=_unset(received), socket=_unset(socket), callid="dfjrewr12386fd6-343",
                cseq=1, user_agent="SIP Router MI Server")

    def add() -> None:
        same = [x for x in svc.bindings(domain, aor) if x.contact == contact]
        if same:
            svc.apply(domain, [Change("update", b.copy(ruid=same[0].ruid))])
        else:
            svc.apply(domain, [Change("insert", b)])

    _calling("ul.add", add)


_NO_DB = "Command is not supported in db_mode=0"


@exports.rpc("ul.db_users", "Tell number of different users (AoRs) in a location table that "
             "have unexpired contacts.", ("table",))
def rpc_db_users(ctx: Any, table: str) -> dict[str, int]:
    """Number of AORs with unexpired contacts in the database table."""
    svc = _rpc_service()
    if svc.database is None:
        raise RPCFault(500, _NO_DB)
    return {"User count": _calling("ul.db_users", lambda: svc._db_table(table).count_users(
        svc.clock()))}


@exports.rpc("ul.db_contacts", "Tell number of unexpired contacts in a location table.",
             ("table",))
def rpc_db_contacts(ctx: Any, table: str) -> dict[str, int]:
    """Number of unexpired contacts in the database table."""
    svc = _rpc_service()
    if svc.database is None:
        raise RPCFault(500, _NO_DB)
    return {"Contact count": _calling("ul.db_contacts", lambda: svc._db_table(
        table).count_contacts(svc.clock()))}


@exports.rpc("ul.db_expired_contacts", "Tell number of expired contacts in a location table.",
             ("table",))
def rpc_db_expired_contacts(ctx: Any, table: str) -> dict[str, int]:
    """Number of expired contacts in the database table."""
    svc = _rpc_service()
    if svc.database is None:
        raise RPCFault(500, _NO_DB)
    return {"Contact count": _calling("ul.db_expired_contacts", lambda: svc._db_table(
        table).count_contacts(svc.clock(), expired=True))}

# Kamailio names the per-table statistics after the table ("location_users" ...); the
# standard table is the one declared here.
exports.counters.update({
    "usrloc.location_users": "Number of AORs in the location table.",
    "usrloc.location_contacts": "Number of contacts in the location table.",
    "usrloc.location_expires": "Total number of contacts of the location table that expired.",
    "usrloc.registered_users": "Total number of AORs in every location table.",
})


def _stored(count: Callable[[dict[str, list[Binding]]], int],
            domains: Callable[[Usrloc], list[str]]) -> Callable[[], int]:
    """A statistic read from the stored bindings when asked for (0 while the store is away)."""
    def value() -> int:
        try:
            svc = service()
            return sum(count(svc.dump(d)) for d in domains(svc))
        except (DBError, ValueError) as exc:
            log.error("usrloc statistics: %s", exc)
            return 0
    return value


exports.counter_getters.update({
    "usrloc.location_users": _stored(len, lambda svc: ["location"]),
    "usrloc.location_contacts": _stored(lambda by_aor: sum(map(len, by_aor.values())),
                                        lambda svc: ["location"]),
    "usrloc.registered_users": _stored(len, lambda svc: svc.domains()),
})
