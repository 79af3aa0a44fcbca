"""Kamailio's `location` table (and tables shaped like it, e.g. `aliases`) as `Binding`s.

A binding is one registered contact of an address of record. This file maps bindings to rows
and back (Kamailio's column names, overridable like usrloc's `*_column` parameters) and offers
the few statements usrloc needs; it knows nothing of db_mode or caching.

Storage conventions are Kamailio's, so either server reads the other's rows: with
`use_domain=0` the whole AOR is the `username` and `domain` is NULL; `q` is a REAL (a binding
without q is stored as -0.001, Kamailio's Q_UNSPECIFIED/1000); `expires` and `last_modified`
are local-time timestamps, and an expires of 0 (a permanent binding) is stored as the epoch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from .api import Cmp, Database, Row
from .times import db_time, epoch

Q_UNSPECIFIED = -1

# Our attribute -> Kamailio's default column name (usrloc's `<attr>_column` parameters).
COLUMNS: dict[str, str] = {
    "ruid": "ruid", "user": "username", "domain": "domain", "contact": "contact",
    "received": "received", "path": "path", "expires": "expires", "q": "q",
    "callid": "callid", "cseq": "cseq", "last_modified": "last_modified", "flags": "flags",
    "cflags": "cflags", "user_agent": "user_agent", "socket": "socket", "methods": "methods",
    "instance": "instance", "reg_id": "reg_id", "server_id": "server_id",
    "connection_id": "connection_id", "keepalive": "keepalive", "partition": "partition",
}


@dataclass(slots=True)
class Binding:
    """One contact bound to an AOR. Times are epoch seconds; `expires` 0 never expires."""

    aor: str
    contact: str
    expires: float
    ruid: str = ""
    q: int = Q_UNSPECIFIED  # 0..1000, or Q_UNSPECIFIED
    callid: str = "Default-Call-ID"
    cseq: int = 1
    received: str = ""
    path: str = ""
    user_agent: str = ""
    socket: str = ""
    methods: int | None = None  # bit mask of the Allow header; None: all
    instance: str = ""
    reg_id: int = 0
    flags: int = 0
    cflags: int = 0
    last_modified: float = 0.0
    server_id: int = 0
    connection_id: int = 0
    keepalive: int = 0
    partition: int = 0

    def alive(self, now: float) -> bool:
        """Not expired at `now` (permanent bindings always are)."""
        return self.expires == 0 or self.expires > now

    def copy(self, **changes: Any) -> Binding:
        return replace(self, **changes)


BINDING_FIELDS = tuple(f.name for f in fields(Binding))


def split_aor(aor: str, use_domain: bool) -> tuple[str, str | None]:
    """(username, domain) as stored: the whole AOR and NULL without use_domain."""
    if not use_domain:
        return aor, None
    user, at, host = aor.partition("@")
    return (user, host) if at else (aor, None)


def join_aor(user: str, domain: str | None, use_domain: bool) -> str:
    return f"{user}@{domain}" if use_domain and domain else user


def q_to_db(q: int) -> float:
    return q / 1000.0


def q_from_db(value: Any) -> int:
    try:
        q = round(float(value) * 1000)
    except (TypeError, ValueError):
        return Q_UNSPECIFIED
    return q if 0 <= q <= 1000 else Q_UNSPECIFIED


class LocationTable:
    """Statements on one location-shaped table of one database."""

    def __init__(self, db: Database, table: str, *, use_domain: bool = False,
                 columns: Mapping[str, str] | None = None) -> None:
        self.db = db
        self.table = table
        self.use_domain = use_domain
        self.col = {**COLUMNS, **(columns or {})}
        self._attr_of = {v: k for k, v in self.col.items()}

    # --- mapping -------------------------------------------------------------------------------

    def to_row(self, b: Binding) -> dict[str, Any]:
        """The row for `b` (every column siprouter writes)."""
        c = self.col
        user, domain = split_aor(b.aor, self.use_domain)
        row: dict[str, Any] = {
            c["ruid"]: b.ruid, c["user"]: user, c["contact"]: b.contact,
            c["received"]: b.received or None, c["path"]: b.path or None,
            c["expires"]: db_time(b.expires), c["q"]: q_to_db(b.q), c["callid"]: b.callid,
            c["cseq"]: b.cseq, c["last_modified"]: db_time(b.last_modified),
            c["flags"]: b.flags, c["cflags"]: b.cflags, c["user_agent"]: b.user_agent,
            c["socket"]: b.socket or None, c["methods"]: b.methods,
            c["instance"]: b.instance or None, c["reg_id"]: b.reg_id,
            c["server_id"]: b.server_id, c["connection_id"]: b.connection_id,
            c["keepalive"]: b.keepalive, c["partition"]: b.partition,
        }
        if self.use_domain:
            row[c["domain"]] = domain
        return row

    def from_row(self, row: Row) -> Binding:
        """The binding a row describes (NULLs as empty values)."""
        get = {self._attr_of.get(k, k): v for k, v in row.items()}
        aor = join_aor(str(get.get("user") or ""), get.get("domain"), self.use_domain)
        methods = get.get("methods")
        return Binding(
            aor=aor, contact=str(get.get("contact") or ""), expires=epoch(get.get("expires")),
            ruid=str(get.get("ruid") or ""), q=q_from_db(get.get("q")),
            callid=str(get.get("callid") or ""), cseq=int(get.get("cseq") or 0),
            received=str(get.get("received") or ""), path=str(get.get("path") or ""),
            user_agent=str(get.get("user_agent") or ""), socket=str(get.get("socket") or ""),
            methods=None if methods is None else int(methods),
            instance=str(get.get("instance") or ""), reg_id=int(get.get("reg_id") or 0),
            flags=int(get.get("flags") or 0), cflags=int(get.get("cflags") or 0),
            last_modified=epoch(get.get("last_modified")),
            server_id=int(get.get("server_id") or 0),
            connection_id=int(get.get("connection_id") or 0),
            keepalive=int(get.get("keepalive") or 0), partition=int(get.get("partition") or 0),
        )

    def _aor_where(self, aor: str) -> dict[str, Any]:
        user, domain = split_aor(aor, self.use_domain)
        where: dict[str, Any] = {self.col["user"]: user}
        if self.use_domain:
            where[self.col["domain"]] = domain
        return where

    def _columns(self) -> list[str]:
        names = [self.col[a] for a in COLUMNS if a != "domain" or self.use_domain]
        return names

    # --- statements ------------------------------------------------------------------------------

    def bindings(self, aor: str, now: float | None = None) -> list[Binding]:
        """The bindings of `aor` (only the unexpired ones when `now` is given), oldest first."""
        rows = self.db.query(self.table, self._columns(), self._aor_where(aor), order=["id"])
        out = [self.from_row(r) for r in rows]
        return out if now is None else [b for b in out if b.alive(now)]

    def all(self, now: float | None = None) -> list[Binding]:
        """Every binding (unexpired only when `now` is given), oldest first."""
        out = [self.from_row(r) for r in self.db.query(self.table, self._columns(),
                                                       order=["id"])]
        return out if now is None else [b for b in out if b.alive(now)]

    def insert(self, b: Binding) -> None:
        self.db.insert(self.table, self.to_row(b))

    def insert_missing(self, b: Binding) -> None:
        """Insert unless a row with b's ruid exists (loading a cache)."""
        self.db.insert(self.table, self.to_row(b), unless_exists=[self.col["ruid"]])

    def upsert(self, b: Binding) -> None:
        """Insert, or replace the row with the same ruid."""
        self.db.replace(self.table, self.to_row(b), [self.col["ruid"]])

    def update(self, b: Binding) -> int:
        """Rewrite the row with b's ruid; how many rows there were (0 or 1)."""
        row = self.to_row(b)
        del row[self.col["ruid"]]
        return self.db.update(self.table, row, {self.col["ruid"]: b.ruid})

    def delete(self, ruid: str) -> int:
        return self.db.delete(self.table, {self.col["ruid"]: ruid})

    def delete_aor(self, aor: str) -> int:
        return self.db.delete(self.table, self._aor_where(aor))

    def expired(self, now: float) -> list[Binding]:
        """Bindings whose time is up (permanent ones never are)."""
        rows = self.db.query(self.table, self._columns(),
                             {self.col["expires"]: Cmp("<=", db_time(now))})
        return [b for b in (self.from_row(r) for r in rows) if b.expires != 0]

    def delete_expired(self, now: float) -> int:
        """Remove the expired bindings; how many."""
        gone = self.expired(now)
        with self.db.transaction():
            for b in gone:
                self.delete(b.ruid)
        return len(gone)

    def count_users(self, now: float) -> int:
        distinct = [self.col["user"]] + ([self.col["domain"]] if self.use_domain else [])
        return self.db.count(self.table, {self.col["expires"]: Cmp(">", db_time(now))},
                             distinct=distinct)

    def count_contacts(self, now: float, expired: bool = False) -> int:
        op = "<=" if expired else ">"
        return self.db.count(self.table, {self.col["expires"]: Cmp(op, db_time(now))})

    def replace_all(self, bindings: Iterable[Binding]) -> None:
        """Upsert many bindings in one transaction."""
        with self.db.transaction():
            for b in bindings:
                self.upsert(b)
