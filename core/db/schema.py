"""Kamailio's database schema (Debian's kamailio 5.6 `share/kamailio/db_sqlite/*-create.sql`,
the statements as written), so a database made by `kamdbctl` works here and one made by
`siprouter db init` works with Kamailio.

The PostgreSQL scripts differ from the SQLite ones only in the key column (`SERIAL` instead of
`INTEGER`), so one copy serves both. Each table records its version in the `version` table as
Kamailio's tools do; modules check it before use.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Table:
    """One table: the Kamailio module (schema group) it belongs to, its DDL and version."""

    group: str
    name: str
    version: int
    create: str
    indexes: tuple[str, ...] = ()

    def statements(self, engine: str) -> list[str]:
        """CREATE TABLE and CREATE INDEX statements for `engine` ("sqlite" or "postgres")."""
        create = self.create
        if engine == "postgres":
            create = create.replace("INTEGER PRIMARY KEY NOT NULL", "SERIAL PRIMARY KEY NOT NULL")
        return [create, *self.indexes]


TABLES: tuple[Table, ...] = (
    Table("standard", "version", 1, """\
CREATE TABLE version (
    id INTEGER PRIMARY KEY NOT NULL,
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
)""", (
    )),
    Table("usrloc", "location", 9, """\
CREATE TABLE location (
    id INTEGER PRIMARY KEY NOT NULL,
    ruid VARCHAR(64) DEFAULT '' NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT NULL,
    contact VARCHAR(512) DEFAULT '' NOT NULL,
    received VARCHAR(128) DEFAULT NULL,
    path VARCHAR(512) DEFAULT NULL,
    expires TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,
    q REAL DEFAULT 1.0 NOT NULL,
    callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,
    cseq INTEGER DEFAULT 1 NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    flags INTEGER DEFAULT 0 NOT NULL,
    cflags INTEGER DEFAULT 0 NOT NULL,
    user_agent VARCHAR(255) DEFAULT '' NOT NULL,
    socket VARCHAR(64) DEFAULT NULL,
    methods INTEGER DEFAULT NULL,
    instance VARCHAR(255) DEFAULT NULL,
    reg_id INTEGER DEFAULT 0 NOT NULL,
    server_id INTEGER DEFAULT 0 NOT NULL,
    connection_id INTEGER DEFAULT 0 NOT NULL,
    keepalive INTEGER DEFAULT 0 NOT NULL,
    partition INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT location_ruid_idx UNIQUE (ruid)
)""", (
        "CREATE INDEX location_account_contact_idx ON location (username, domain, contact)",
        "CREATE INDEX location_expires_idx ON location (expires)",
        "CREATE INDEX location_tcpcon_idx ON location (connection_id)",
        "CREATE INDEX location_connection_idx ON location (server_id, connection_id)",
    )),
    Table("usrloc", "location_attrs", 1, """\
CREATE TABLE location_attrs (
    id INTEGER PRIMARY KEY NOT NULL,
    ruid VARCHAR(64) DEFAULT '' NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT NULL,
    aname VARCHAR(64) DEFAULT '' NOT NULL,
    atype INTEGER DEFAULT 0 NOT NULL,
    avalue VARCHAR(512) DEFAULT '' NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL
)""", (
        "CREATE INDEX location_attrs_account_record_idx ON location_attrs (username, domain, ruid)",
        "CREATE INDEX location_attrs_last_modified_idx ON location_attrs (last_modified)",
    )),
    Table("registrar", "aliases", 8, """\
CREATE TABLE aliases (
    id INTEGER PRIMARY KEY NOT NULL,
    ruid VARCHAR(64) DEFAULT '' NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT NULL,
    contact VARCHAR(255) DEFAULT '' NOT NULL,
    received VARCHAR(255) DEFAULT NULL,
    path VARCHAR(512) DEFAULT NULL,
    expires TIMESTAMP WITHOUT TIME ZONE DEFAULT '2030-05-28 21:32:15' NOT NULL,
    q REAL DEFAULT 1.0 NOT NULL,
    callid VARCHAR(255) DEFAULT 'Default-Call-ID' NOT NULL,
    cseq INTEGER DEFAULT 1 NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    flags INTEGER DEFAULT 0 NOT NULL,
    cflags INTEGER DEFAULT 0 NOT NULL,
    user_agent VARCHAR(255) DEFAULT '' NOT NULL,
    socket VARCHAR(64) DEFAULT NULL,
    methods INTEGER DEFAULT NULL,
    instance VARCHAR(255) DEFAULT NULL,
    reg_id INTEGER DEFAULT 0 NOT NULL,
    server_id INTEGER DEFAULT 0 NOT NULL,
    connection_id INTEGER DEFAULT 0 NOT NULL,
    keepalive INTEGER DEFAULT 0 NOT NULL,
    partition INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT aliases_ruid_idx UNIQUE (ruid)
)""", (
        "CREATE INDEX aliases_account_contact_idx ON aliases (username, domain, contact)",
        "CREATE INDEX aliases_expires_idx ON aliases (expires)",
    )),
    Table("auth_db", "subscriber", 7, """\
CREATE TABLE subscriber (
    id INTEGER PRIMARY KEY NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL,
    password VARCHAR(64) DEFAULT '' NOT NULL,
    ha1 VARCHAR(128) DEFAULT '' NOT NULL,
    ha1b VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
)""", (
        "CREATE INDEX subscriber_username_idx ON subscriber (username)",
    )),
    Table("alias_db", "dbaliases", 1, """\
CREATE TABLE dbaliases (
    id INTEGER PRIMARY KEY NOT NULL,
    alias_username VARCHAR(64) DEFAULT '' NOT NULL,
    alias_domain VARCHAR(64) DEFAULT '' NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL
)""", (
        "CREATE INDEX dbaliases_alias_user_idx ON dbaliases (alias_username)",
        "CREATE INDEX dbaliases_alias_idx ON dbaliases (alias_username, alias_domain)",
        "CREATE INDEX dbaliases_target_idx ON dbaliases (username, domain)",
    )),
    Table("domain", "domain", 2, """\
CREATE TABLE domain (
    id INTEGER PRIMARY KEY NOT NULL,
    domain VARCHAR(64) NOT NULL,
    did VARCHAR(64) DEFAULT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL,
    CONSTRAINT domain_domain_idx UNIQUE (domain)
)""", (
    )),
    Table("domain", "domain_attrs", 1, """\
CREATE TABLE domain_attrs (
    id INTEGER PRIMARY KEY NOT NULL,
    did VARCHAR(64) NOT NULL,
    name VARCHAR(32) NOT NULL,
    type INTEGER NOT NULL,
    value VARCHAR(255) NOT NULL,
    last_modified TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:01' NOT NULL
)""", (
        "CREATE INDEX domain_attrs_domain_attrs_idx ON domain_attrs (did, name)",
    )),
    Table("acc", "acc", 5, """\
CREATE TABLE acc (
    id INTEGER PRIMARY KEY NOT NULL,
    method VARCHAR(16) DEFAULT '' NOT NULL,
    from_tag VARCHAR(128) DEFAULT '' NOT NULL,
    to_tag VARCHAR(128) DEFAULT '' NOT NULL,
    callid VARCHAR(255) DEFAULT '' NOT NULL,
    sip_code VARCHAR(3) DEFAULT '' NOT NULL,
    sip_reason VARCHAR(128) DEFAULT '' NOT NULL,
    time TIMESTAMP WITHOUT TIME ZONE NOT NULL
)""", (
        "CREATE INDEX acc_callid_idx ON acc (callid)",
    )),
    Table("acc", "acc_cdrs", 2, """\
CREATE TABLE acc_cdrs (
    id INTEGER PRIMARY KEY NOT NULL,
    start_time TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:00' NOT NULL,
    end_time TIMESTAMP WITHOUT TIME ZONE DEFAULT '2000-01-01 00:00:00' NOT NULL,
    duration REAL DEFAULT 0 NOT NULL
)""", (
        "CREATE INDEX acc_cdrs_start_time_idx ON acc_cdrs (start_time)",
    )),
    Table("acc", "missed_calls", 4, """\
CREATE TABLE missed_calls (
    id INTEGER PRIMARY KEY NOT NULL,
    method VARCHAR(16) DEFAULT '' NOT NULL,
    from_tag VARCHAR(128) DEFAULT '' NOT NULL,
    to_tag VARCHAR(128) DEFAULT '' NOT NULL,
    callid VARCHAR(255) DEFAULT '' NOT NULL,
    sip_code VARCHAR(3) DEFAULT '' NOT NULL,
    sip_reason VARCHAR(128) DEFAULT '' NOT NULL,
    time TIMESTAMP WITHOUT TIME ZONE NOT NULL
)""", (
        "CREATE INDEX missed_calls_callid_idx ON missed_calls (callid)",
    )),
)

BY_NAME = {t.name: t for t in TABLES}
GROUPS = tuple(dict.fromkeys(t.group for t in TABLES))


class SchemaTarget(Protocol):
    """What schema creation needs from a database (a `Database` is one)."""

    engine: str

    def table_exists(self, table: str) -> bool: ...

    def execute(self, sql: str, params: Any = ()) -> Any: ...


def tables_of(groups: Iterable[str] | None = None) -> Iterator[Table]:
    """The tables of the given groups (all of them for None); `version` always comes first."""
    wanted = set(groups) if groups is not None else None
    for t in TABLES:
        if t.name == "version" or wanted is None or t.group in wanted:
            yield t


def create_schema(db: SchemaTarget, groups: Iterable[str] | None = None) -> list[str]:
    """Create the missing tables (with their indexes and version rows) of `groups` (all by
    default) in one transaction; the names of the tables created. Existing tables are left
    alone, so running it again is harmless."""
    tx = getattr(db, "transaction", None)
    ctx: AbstractContextManager[Any] = tx() if tx is not None else nullcontext()
    ph = "?" if db.engine == "sqlite" else "%s"
    created = []
    with ctx:
        for table in tables_of(groups):
            if db.table_exists(table.name):
                continue
            for sql in table.statements(db.engine):
                db.execute(sql)
            db.execute(f"INSERT INTO version (table_name, table_version) VALUES ({ph}, {ph})",
                       [table.name, table.version])
            created.append(table.name)
    return created


def table_version(db: Any, table: str) -> int | None:
    """The version the `version` table records for `table`, or None."""
    rows = db.query("version", ["table_version"], {"table_name": table})
    return int(rows[0]["table_version"]) if rows else None
