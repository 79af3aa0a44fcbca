"""Kamailio's `htable` module: named hash tables the script reads and writes with `$sht(t=>k)`.

Tables are defined with `modparam("htable", "htable", "name=>size=8;autoexpire=300;")`
(`autoexpire` seconds after the last write an item is gone; `initval` the value a missing item
reads as). What is implemented: `$sht`, `$shtex`, `$shtinc`, `$shtdec`; `sht_print`, `sht_rm`,
`sht_rm_name_re`, `sht_rm_value_re`, `sht_rm_name`, `sht_rm_value`, `sht_reset`, `sht_setxs`,
`sht_setxi`; RPCs `htable.get`, `htable.sets`, `htable.seti`, `htable.delete`, `htable.dump`,
`htable.flush`, `htable.listTables`. The rest is declared (the cfg checker knows it) but not
implemented: loading from and storing to a database table, DMQ, iterators, locks, event routes.

Items are shared by every worker through a small SQLite file in /dev/shm (see below).
"""

from __future__ import annotations

import atexit
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from siprouter.core.cfg.pvsyntax import PVRef
from siprouter.core.db import DBError
from siprouter.core.exports import ModuleEnv, ModuleExports, RouteType
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import (
    Getter,
    PVError,
    PVIndex,
    Setter,
    compile_format,
    register_pv_class,
)
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.shared.shmstore import SharedStore

exports = ModuleExports("htable", doc="Shared-memory hash tables for the script")

# Parameters
exports.param("htable", str, None, multi=True, doc="The definition of a hash table.")
exports.param("db_url", str, None, doc="The URL to connect to database for loading values in hash table at start up.")
exports.param("key_name_column", str, "key_name", doc="The name of the column containing the hash table key name.")
exports.param("key_type_column", str, "key_type", doc="The name of the column containing the hash table key type.")
exports.param("value_type_column", str, "value_type", doc="The name of the column containing the hash table value type.")
exports.param("key_value_column", str, "key_value", doc="The name of the column containing hash table key value.")
exports.param("expires_column", str, "expires", doc="The name of the column containing the expires value.")
exports.param("array_size_suffix", str, "::size", doc="The suffix to be added to store the number of items in an array (see key type).")
exports.param("fetch_rows", int, 100, doc="How many rows to fetch at once from database.")
exports.param("timer_interval", int, 20, doc="Interval in seconds to check for expired htable values.")
exports.param("db_expires", int, 0, doc="If set to 1, the module loads/saves the value for expire of the items in hash table...")
exports.param("enable_dmq", int, 0, doc="If set to 1, will enable DMQ replication of actions performed upon entries in all tables...")
exports.param("dmq_init_sync", int, 0, doc="If set to 1, will request synchronization from other nodes at startup.")
exports.param("timer_procs", int, 0, doc="If set to 1 or greater, the module will create its own timer processes to scan for...")
exports.param("event_callback", str, None, doc="The name of the function in the kemi configuration file (embedded scripting language such...")
exports.param("event_callback_mode", int, 0, doc="Control when event_route[htable:init] is executed: 0 - after all modules were...")

# Functions
exports.function("sht_match_name", args=3, routes=RouteType.ANY, doc="Return greater than 0 (true) if the htable has an item that matches the name against the...")
exports.function("sht_has_name", args=3, routes=RouteType.ANY, doc="Alias for sht_match_name().")
exports.function("sht_match_str_value", args=3, routes=RouteType.ANY, doc="Return greater than 0 (true) if the htable has an item that matches the string value...")
exports.function("sht_has_str_value", args=3, routes=RouteType.ANY, doc="Alias for sht_match_str_value().")
exports.function("sht_lock", args=1, routes=RouteType.ANY, doc="Lock the slot in htable corresponding to the key item.")
exports.function("sht_unlock", args=1, routes=RouteType.ANY, doc="Unlock the slot in htable corresponding to the key item.")
exports.function("sht_iterator_start", args=2, routes=RouteType.ANY, doc="Start an iterator for hash table named by the value of parameter hname.")
exports.function("sht_iterator_next", args=1, routes=RouteType.ANY, doc="Move the iterator to the next item in hash table.")
exports.function("sht_iterator_end", args=1, routes=RouteType.ANY, doc="Close the iterator identified by iname parameter and release the hash table slot acquired...")
exports.function("sht_iterator_rm", args=1, routes=RouteType.ANY, doc="Remove the current item in the iterator and move the iterator to the next one.")
exports.function("sht_iterator_sets", args=2, routes=RouteType.ANY, doc="Set the value of the current item to the string in the sval.")
exports.function("sht_iterator_seti", args=2, routes=RouteType.ANY, doc="Set the value of the current item to the integer in the ival.")
exports.function("sht_iterator_setex", args=2, routes=RouteType.ANY, doc="Set the expire of the current item to the integer in the exval.")

# Pseudo-variables
exports.pv("sht", writable=True, inner=True, doc="hash table item ($sht(table=>key))")
exports.pv("shtex", writable=True, inner=True, doc="expire of a hash table item")
exports.pv("shtcn", inner=True, doc="count of items whose name matches")
exports.pv("shtcv", inner=True, doc="count of items whose value matches")
exports.pv("shtinc", inner=True, doc="atomic increment of an item, returns the new value")
exports.pv("shtdec", inner=True, doc="atomic decrement of an item, returns the new value")
exports.pv("shtrecord", inner=True, doc="attributes of the expired item in htable:expired routes")
exports.pv("shtitkey", inner=True, doc="key at the hash table iterator")
exports.pv("shtitval", inner=True, doc="value at the hash table iterator")

# RPC commands
exports.rpc("htable.setex", "Set the expire for an item in hash table.", ("htable", "key", "expire"))
exports.rpc("htable.setxs", "Set the string value and expire for an item in hash table.", ("htable", "key", "value", "expire"))
exports.rpc("htable.setxi", "Set the integer value and expire for an item in hash table.", ("htable", "key", "value", "expire"))
exports.rpc("htable.reload", "Reload hash table from database.", ("htable",))
exports.rpc("htable.store", "Store hash table to database.", ("htable",))
exports.rpc("htable.stats", "Get statistics for hash tables - name, number of slots, number of items, max number of...", ())

exports.event_routes = ("htable:mod-init", "htable:expired:*")


# --- implementation -------------------------------------------------------------------------
#
# Kamailio keeps each table in shared memory that every worker sees. Workers here share nothing
# in memory, so the items live in one small SQLite file in /dev/shm made by the main process
# before the workers fork (as usrloc's cache and auth's replay store do): a ban written by one
# worker is seen by the next request whichever worker takes it. Expiry is checked on read (an
# expired item reads as $null at once) and expired rows are swept now and then on write, so
# there is no timer process; event_route[htable:expired:*] is therefore not run.

log = logging.getLogger("siprouter.htable")

ITEMS = "htable_items"
SWEEP_EVERY = 256  # writes between two sweeps of expired rows


@dataclass(frozen=True)
class TableDef:
    """One `htable` modparam: `name=>size=8;autoexpire=300;initval=0;`. `size` is accepted and
    ignored (SQLite's index does the hashing); `dbtable` is not loaded (logged at start-up)."""

    name: str
    autoexpire: int = 0
    initval: int | None = None
    dbtable: str = ""


def parse_table_def(text: str) -> TableDef:
    """Parse one `htable` modparam value; ValueError saying what is wrong."""
    name, sep, rest = text.partition("=>")
    name = name.strip()
    if not sep or not name or not name.replace("_", "").replace("-", "").isalnum():
        raise ValueError(f"bad htable definition {text!r}: expected name=>attr=value;...")
    attrs: dict[str, str] = {}
    for part in rest.split(";"):
        if not part.strip():
            continue
        key, eq, value = part.partition("=")
        if not eq:
            raise ValueError(f"htable {name}: attribute without value: {part.strip()!r}")
        attrs[key.strip()] = value.strip()
    try:
        autoexpire = int(attrs.get("autoexpire", "0"))
        initval = int(attrs["initval"]) if "initval" in attrs else None
        int(attrs.get("size", "8"))
    except ValueError:
        raise ValueError(f"htable {name}: size, autoexpire and initval take integers") from None
    if autoexpire < 0:
        raise ValueError(f"htable {name}: autoexpire must not be negative")
    return TableDef(name, autoexpire, initval, attrs.get("dbtable", ""))


@dataclass
class HtableSettings:
    """htable's modparams this implementation acts on."""

    htable: list[str] = field(default_factory=list)


settings = HtableSettings()
exports.settings = settings

_tables: dict[str, TableDef] = {}
_parsed_from: list[str] | None = None


def tables() -> dict[str, TableDef]:
    """The defined tables by name (parsed from the `htable` modparams on first use; a bad
    definition is logged and left out)."""
    global _parsed_from
    if _parsed_from != settings.htable:
        _tables.clear()
        for text in settings.htable:
            try:
                tdef = parse_table_def(text)
            except ValueError as exc:
                log.error("%s", exc)
                continue
            _tables[tdef.name] = tdef
        _parsed_from = list(settings.htable)
    return _tables


def _to_value(row: Mapping[str, Any]) -> Value:
    return int(row["ival"]) if row["sval"] is None else str(row["sval"])


class SharedItems(SharedStore):
    """Every table's items in one SQLite file all processes of a server open (made by the main
    process in `init`), or in memory for a process alone (unit tests)."""

    def __init__(self) -> None:
        super().__init__("htable", (
            f"CREATE TABLE IF NOT EXISTS {ITEMS} (tname TEXT NOT NULL, "
            "name TEXT NOT NULL, ival INTEGER, sval TEXT, "
            "expires REAL NOT NULL DEFAULT 0, PRIMARY KEY (tname, name))",))
        self._writes = 0

    def get(self, table: str, name: str, now: float) -> Value:
        """The item's value, None when absent or expired."""
        rows = self.database().execute(
            f"SELECT ival, sval FROM {ITEMS} WHERE tname = ? AND name = ? "
            "AND (expires = 0 OR expires > ?)", (table, name, now))
        return _to_value(rows[0]) if rows else None

    def expires(self, table: str, name: str, now: float) -> float | None:
        """When the item expires (0: never), None when absent or expired."""
        rows = self.database().execute(
            f"SELECT expires FROM {ITEMS} WHERE tname = ? AND name = ? "
            "AND (expires = 0 OR expires > ?)", (table, name, now))
        return float(rows[0]["expires"]) if rows else None

    def set(self, table: str, name: str, value: int | str, expires: float) -> None:
        """Store the value (replacing any) with an absolute expiry time (0: never)."""
        ival, sval = (value, None) if isinstance(value, int) else (None, value)
        self.database().replace(ITEMS, {"tname": table, "name": name, "ival": ival,
                                        "sval": sval, "expires": expires}, ["tname", "name"])
        self._wrote()

    def set_expires(self, table: str, name: str, expires: float, now: float) -> bool:
        """Change a live item's expiry; False when there is no such item."""
        n = self.database().update(ITEMS, {"expires": expires},
                                   {"tname": table, "name": name})
        self._wrote()
        return n > 0 and self.expires(table, name, now) is not None

    def add(self, table: str, name: str, delta: int, expires: float, now: float) -> int:
        """Add `delta` to an integer item (a missing, expired or string one counts as 0) in
        one statement, so two workers never lose an increment; the new value."""
        rows = self.database().execute(
            f"INSERT INTO {ITEMS} (tname, name, ival, sval, expires) VALUES (?, ?, ?, NULL, ?) "
            "ON CONFLICT (tname, name) DO UPDATE SET "
            "ival = CASE WHEN sval IS NULL AND (expires = 0 OR expires > ?) "
            "THEN ival + excluded.ival ELSE excluded.ival END, "
            "sval = NULL, expires = excluded.expires RETURNING ival",
            (table, name, delta, expires, now))
        self._wrote()
        return int(rows[0]["ival"])

    def delete(self, table: str, name: str) -> int:
        """Remove one item; how many were removed (0 or 1)."""
        n = self.database().delete(ITEMS, {"tname": table, "name": name})
        self._wrote()
        return n

    def items(self, table: str, now: float) -> list[tuple[str, Value, float]]:
        """The live items of a table, by name: (name, value, expires)."""
        rows = self.database().execute(
            f"SELECT name, ival, sval, expires FROM {ITEMS} WHERE tname = ? "
            "AND (expires = 0 OR expires > ?) ORDER BY name", (table, now))
        return [(str(r["name"]), _to_value(r), float(r["expires"])) for r in rows]

    def reset_table(self, table: str) -> None:
        """Remove every item of a table."""
        self.database().delete(ITEMS, {"tname": table})

    def sweep(self, now: float) -> None:
        """Remove the expired rows of every table."""
        self.database().execute(f"DELETE FROM {ITEMS} WHERE expires > 0 AND expires <= ?",
                                (now,))

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            self.sweep(time.time())


store = SharedItems()
atexit.register(store.remove_file)


def _init(env: ModuleEnv) -> None:
    """Main process, before the workers fork: the tables and the file they share."""
    for tdef in tables().values():
        if tdef.dbtable:
            log.warning("htable %s: dbtable=%s is not loaded (not implemented)", tdef.name,
                        tdef.dbtable)
    store.create()


exports.init = _init


# --- pseudo-variables ---------------------------------------------------------------------------


def _table_and_key(ref: PVRef) -> tuple[str, Callable[[Context], str]]:
    """`$sht(table=>key)`: the table name and the key as a format (`ipban=>$si`)."""
    inner = (ref.inner or "").strip()
    table, sep, key = inner.partition("=>")
    if not sep or not table.strip() or not key:
        raise PVError(f"${ref.name}({inner}): expected ${ref.name}(table=>key)")
    try:
        return table.strip(), compile_format(key)
    except PVError as exc:
        raise PVError(f"${ref.name}({inner}): {exc}") from None


def _table_def(ctx: Context, name: str, what: str) -> TableDef | None:
    tdef = tables().get(name)
    if tdef is None:
        ctx.log.error("%s: no hash table %s (define it with modparam htable)", what, name)
    return tdef


def _expiry(tdef: TableDef, now: float) -> float:
    return now + tdef.autoexpire if tdef.autoexpire > 0 else 0.0


def _guarded(ctx: Context, what: str, fn: Callable[[], Any], default: Any) -> Any:
    """Run a store call; a database failure is logged and gives `default` (no traceback)."""
    try:
        return fn()
    except DBError as exc:
        ctx.log.error("%s: %s", what, exc)
        return default


def _done(ctx: Context, what: str, fn: Callable[[], object]) -> int:
    """Run a store call for a script function: 1, or -1 after logging a database failure."""
    try:
        fn()
    except DBError as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    return 1


def _sht(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    table, key = _table_and_key(ref)

    def get(ctx: Context) -> Value:
        tdef = _table_def(ctx, table, "$sht")
        if tdef is None:
            return None
        value = _guarded(ctx, "$sht", lambda: store.get(table, key(ctx), ctx.now()), None)
        return tdef.initval if value is None else value

    def set_(ctx: Context, v: Value) -> None:
        tdef = _table_def(ctx, table, "$sht")
        if tdef is None:
            return
        name = key(ctx)
        if v is None:  # `= $null` removes the item, as in Kamailio
            _guarded(ctx, "$sht", lambda: store.delete(table, name), 0)
        else:
            _guarded(ctx, "$sht", lambda: store.set(table, name, v, _expiry(tdef, ctx.now())),
                     None)

    return get, set_


def _shtex(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    table, key = _table_and_key(ref)

    def get(ctx: Context) -> Value:
        if _table_def(ctx, table, "$shtex") is None:
            return None
        now = ctx.now()
        at = _guarded(ctx, "$shtex", lambda: store.expires(table, key(ctx), now), None)
        return 0 if not at else max(0, int(at - now))

    def set_(ctx: Context, v: Value) -> None:
        if _table_def(ctx, table, "$shtex") is None:
            return
        now, seconds = ctx.now(), to_int(v)
        _guarded(ctx, "$shtex", lambda: store.set_expires(
            table, key(ctx), now + seconds if seconds > 0 else 0.0, now), False)

    return get, set_


def _shtadd(delta: int) -> Callable[[PVRef, PVIndex], tuple[Getter, Setter | None]]:
    def factory(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
        table, key = _table_and_key(ref)

        def get(ctx: Context) -> Value:
            tdef = _table_def(ctx, table, f"${ref.name}")
            if tdef is None:
                return None
            now = ctx.now()
            return _guarded(ctx, f"${ref.name}", lambda: store.add(
                table, key(ctx), delta, _expiry(tdef, now), now), None)

        return get, None

    return factory


register_pv_class("sht", _sht)
register_pv_class("shtex", _shtex)
register_pv_class("shtinc", _shtadd(1))
register_pv_class("shtdec", _shtadd(-1))


# --- script functions ---------------------------------------------------------------------------


def _split_spec(ctx: Context, text: str, what: str) -> tuple[str, str] | None:
    """`table=>rest` as sht_rm_name_re and sht_rm_value_re take it."""
    table, sep, rest = text.partition("=>")
    if not sep:
        ctx.log.error("%s: expected table=>regexp, got %r", what, text)
        return None
    if _table_def(ctx, table.strip(), what) is None:
        return None
    return table.strip(), rest


def _matches(op: str, pattern: str, text: str) -> bool:
    """Kamailio's match operators: `re` regular expression, `sw` starts with, `ew` ends with,
    `eq` equal, `in` contains."""
    if op == "re":
        return re.search(pattern, text) is not None
    if op == "sw":
        return text.startswith(pattern)
    if op == "ew":
        return text.endswith(pattern)
    if op == "in":
        return pattern in text
    return text == pattern


def _remove_matching(ctx: Context, table: str, op: str, pattern: str, on_value: bool,
                     what: str) -> int:
    if op not in ("re", "sw", "ew", "eq", "in"):
        ctx.log.error("%s: unknown match operator %r", what, op)
        return -1
    try:
        if op == "re":
            re.compile(pattern)
        for name, value, _ in store.items(table, ctx.now()):
            if _matches(op, pattern, to_str(value) if on_value else name):
                store.delete(table, name)
    except re.error as exc:
        ctx.log.error("%s: bad regular expression %r: %s", what, pattern, exc)
        return -1
    except DBError as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    return 1


@exports.function("sht_print", args=0, routes=RouteType.ANY, doc="Dump content of hash table to L_ERR log level.")
def sht_print(ctx: Context) -> int:
    """Log every live item of every table at error level (Kamailio's L_ERR dump)."""
    now = ctx.now()
    for name in tables():
        items = _guarded(ctx, "sht_print", partial(store.items, name, now), [])
        ctx.log.error("htable %s: %d items", name, len(items))
        for key, value, _ in items:
            ctx.log.error("htable %s: %s => %r", name, key, value)
    return 1


@exports.function("sht_rm", args=2, formats=(0, 1), routes=RouteType.ANY, doc="Delete the item with the name 'itname' from hash table 'htname'.")
def sht_rm(ctx: Context, table: Value, name: Value) -> int:
    """Remove one item: 1, or -1 for an unknown table or a database error."""
    t = to_str(table).strip()
    if _table_def(ctx, t, "sht_rm") is None:
        return -1
    return _done(ctx, "sht_rm", lambda: store.delete(t, to_str(name)))


@exports.function("sht_rm_name_re", args=1, formats=(0,), routes=RouteType.ANY, doc="Delete all entries in the htable that match the name against regular expression.")
def sht_rm_name_re(ctx: Context, spec: Value) -> int:
    """`table=>regexp`: remove the items whose name matches."""
    parts = _split_spec(ctx, to_str(spec), "sht_rm_name_re")
    return -1 if parts is None else _remove_matching(ctx, parts[0], "re", parts[1], False,
                                                     "sht_rm_name_re")


@exports.function("sht_rm_value_re", args=1, formats=(0,), routes=RouteType.ANY, doc="Delete all entries in the htable that match the value against regular expression.")
def sht_rm_value_re(ctx: Context, spec: Value) -> int:
    """`table=>regexp`: remove the items whose value (as text) matches."""
    parts = _split_spec(ctx, to_str(spec), "sht_rm_value_re")
    return -1 if parts is None else _remove_matching(ctx, parts[0], "re", parts[1], True,
                                                     "sht_rm_value_re")


@exports.function("sht_rm_name", args=3, formats=(0, 2), routes=RouteType.ANY, doc="Delete all entries in the htable that match the name against the val parameter.")
def sht_rm_name(ctx: Context, table: Value, op: Value, val: Value) -> int:
    """Remove the items whose name matches `val` by `op` (re, sw, ew, eq, in)."""
    t = to_str(table).strip()
    if _table_def(ctx, t, "sht_rm_name") is None:
        return -1
    return _remove_matching(ctx, t, to_str(op), to_str(val), False, "sht_rm_name")


@exports.function("sht_rm_value", args=3, formats=(0, 2), routes=RouteType.ANY, doc="Delete all entries in the htable that match the value against the val parameter.")
def sht_rm_value(ctx: Context, table: Value, op: Value, val: Value) -> int:
    """Remove the items whose value matches `val` by `op` (re, sw, ew, eq, in)."""
    t = to_str(table).strip()
    if _table_def(ctx, t, "sht_rm_value") is None:
        return -1
    return _remove_matching(ctx, t, to_str(op), to_str(val), True, "sht_rm_value")


@exports.function("sht_reset", args=1, formats=(0,), routes=RouteType.ANY, doc="Delete all entries in the htable.")
def sht_reset(ctx: Context, table: Value) -> int:
    """Remove every item of the table."""
    t = to_str(table).strip()
    if _table_def(ctx, t, "sht_reset") is None:
        return -1
    return _done(ctx, "sht_reset", lambda: store.reset_table(t))


def _setx(ctx: Context, what: str, table: Value, name: Value, value: int | str,
          expire: Value) -> int:
    t = to_str(table).strip()
    if _table_def(ctx, t, what) is None:
        return -1
    seconds = to_int(expire)
    at = ctx.now() + seconds if seconds > 0 else 0.0
    return _done(ctx, what, lambda: store.set(t, to_str(name), value, at))


@exports.function("sht_setxs", args=4, formats=(0, 1, 2, 3), routes=RouteType.ANY, doc="Set the item with the name 'itname' from hash table 'htname' to string value 'itval' and...")
def sht_setxs(ctx: Context, table: Value, name: Value, value: Value, expire: Value) -> int:
    """Set a string item with its own expiry in seconds (0: the table's rule)."""
    return _setx(ctx, "sht_setxs", table, name, to_str(value), expire)


@exports.function("sht_setxi", args=4, formats=(0, 1, 3), routes=RouteType.ANY, doc="Set the item with the name 'itname' from hash table 'htname' to integer value 'itval' and...")
def sht_setxi(ctx: Context, table: Value, name: Value, value: Value, expire: Value) -> int:
    """Set an integer item with its own expiry in seconds."""
    return _setx(ctx, "sht_setxi", table, name, to_int(value), expire)


# --- RPC commands -------------------------------------------------------------------------------


def _rpc_table(name: Any) -> str:
    if not isinstance(name, str) or name not in tables():
        raise RPCFault(500, "No such htable")
    return name


def _rpc_call(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except DBError as exc:
        raise RPCFault(500, f"htable: {exc}") from None


@exports.rpc("htable.get", "Lists one value in a hash table", ("htable", "key"))
def rpc_get(ctx: Any, htable: str, key: str) -> dict[str, Any]:
    """Lists one value in a hash table"""
    table = _rpc_table(htable)
    value = _rpc_call(lambda: store.get(table, str(key), time.time()))
    if value is None:
        raise RPCFault(500, "Key name doesn't exist in htable.")
    return {"item": {"name": str(key), "value": value}}


@exports.rpc("htable.delete", "Delete one value in a hash table", ("htable", "key"))
def rpc_delete(ctx: Any, htable: str, key: str) -> None:
    """Delete one value in a hash table"""
    table = _rpc_table(htable)
    _rpc_call(lambda: store.delete(table, str(key)))


def _rpc_set(htable: str, key: str, value: int | str) -> None:
    table = _rpc_table(htable)
    _rpc_call(lambda: store.set(table, str(key), value,
                                _expiry(tables()[table], time.time())))


@exports.rpc("htable.sets", "Set an item in hash table to string value.", ("htable", "key", "Value"))
def rpc_sets(ctx: Any, htable: str, key: str, value: Any) -> None:
    """Set an item in hash table to string value."""
    _rpc_set(htable, key, str(value))


@exports.rpc("htable.seti", "Set an item in hash table to integer value.", ("htable", "key", "Value"))
def rpc_seti(ctx: Any, htable: str, key: str, value: Any) -> None:
    """Set an item in hash table to integer value."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RPCFault(400, "Value must be an integer") from None
    _rpc_set(htable, key, number)


@exports.rpc("htable.dump", "Lists all the values in a hash table", ("htable",))
def rpc_dump(ctx: Any, htable: str) -> list[dict[str, Any]]:
    """Lists all the values in a hash table"""
    table = _rpc_table(htable)
    now = time.time()
    items = _rpc_call(lambda: store.items(table, now))
    return [{"name": name, "value": value, "type": "int" if isinstance(value, int) else "str",
             "expires": int(at - now) if at else 0} for name, value, at in items]


@exports.rpc("htable.flush", "Empty the hash table", ("htable",))
def rpc_flush(ctx: Any, htable: str) -> None:
    """Empty the hash table"""
    table = _rpc_table(htable)
    _rpc_call(lambda: store.reset_table(table))


@exports.rpc("htable.listTables", "Lists all defined tables", ())
def rpc_list_tables(ctx: Any) -> list[dict[str, Any]]:
    """Lists all defined tables"""
    return [{"name": t.name, "dbtable": t.dbtable, "dbmode": 0, "expire": t.autoexpire,
             "updateexpire": 1, "size": 0, "dmqreplicate": 0} for t in tables().values()]
