"""Kamailio's `pike` module: flood detection per source IP.

`pike_check_req()` counts the requests of the message's source IP per sampling unit
(`sampling_time_unit` seconds) and returns false once an IP sends more than
`reqs_density_per_unit` in one unit: -2 the first time (logged at `pike_log_level`), -1 while
it stays blocked. An IP is unblocked at the first unit that does not exceed the limit, as
Kamailio's; an IP idle for `remove_latency` seconds is forgotten. `pike_check_ip(ip)` does the
same for any address, `pike.top` lists the IPs seen.

Kamailio counts in a tree of address bytes, so its limit lies between x and 3x (IPv4) or 8x
(IPv6) for x = reqs_density_per_unit; here each address has its own counter and the limit is
exactly x. Counters must be seen by every worker (a flood is spread over all of them): they
live in a small SQLite file in /dev/shm made by the main process before the workers fork (as
usrloc's cache and auth's replay store do), and each request is counted by one atomic upsert.
"""

from __future__ import annotations

import atexit
import ipaddress
import logging
import time
from dataclasses import dataclass
from typing import Any

from siprouter.core.db import Cmp, DBError
from siprouter.core.exports import ModuleEnv, ModuleExports, RouteType
from siprouter.core.loglevels import python_level
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.values import Value, to_str
from siprouter.core.shared.shmstore import SharedStore

exports = ModuleExports("pike", doc="Flood detection per source IP")

# Parameters
exports.param("sampling_time_unit", int, 2, doc="Time period in seconds used for sampling (or the sampling accuracy).")
exports.param("reqs_density_per_unit", int, 30, doc="How many requests should be allowed per sampling_time_unit before blocking all the...")
exports.param("remove_latency", int, 120, doc="Specifies for how long the IP address will be kept in memory after the last request from...")
exports.param("pike_log_level", int, 1, doc="Syslog log level to be used by module to auto report the blocking (only first time) and...")

# --- implementation (functions and the RPC are declared where they are defined) --------- -------------------------------------------------------------------------

log = logging.getLogger("siprouter.pike")

IPS = "pike_ips"
SWEEP_EVERY = 256  # checks between two sweeps of idle addresses

# Kamailio's pike returns: 1 allowed (or internal error), -1 still blocked, -2 newly blocked.
ALLOWED, BLOCKED, NEWLY_BLOCKED = 1, -1, -2


@dataclass
class PikeSettings:
    """pike's modparams."""

    sampling_time_unit: int = 2
    reqs_density_per_unit: int = 30
    remove_latency: int = 120
    pike_log_level: int = 1


settings = PikeSettings()
exports.settings = settings

# One statement counts the request and rolls the unit over, so two workers counting the same
# IP at once never lose a hit. SQLite evaluates every SET expression on the old row. The block
# is carried into the next unit only when the unit just ended exceeded the limit.
_COUNT_SQL = f"""
INSERT INTO {IPS} (ip, unit, hits, prev, blocked, last) VALUES (?, ?, 1, 0, 0, ?)
ON CONFLICT (ip) DO UPDATE SET
  prev = CASE WHEN unit = excluded.unit THEN prev
              WHEN unit = excluded.unit - 1 THEN hits ELSE 0 END,
  blocked = CASE WHEN unit = excluded.unit THEN blocked
                 WHEN unit = excluded.unit - 1 AND hits > ? THEN blocked ELSE 0 END,
  hits = CASE WHEN unit = excluded.unit THEN hits + 1 ELSE 1 END,
  unit = excluded.unit,
  last = excluded.last
RETURNING hits, blocked
"""


class SharedCounters(SharedStore):
    """Per-IP counters in one SQLite file every process of a server opens (made by the main
    process in `init`), or in memory for a process alone (unit tests)."""

    def __init__(self) -> None:
        super().__init__("pike", (
            f"CREATE TABLE IF NOT EXISTS {IPS} (ip TEXT PRIMARY KEY, "
            "unit INTEGER NOT NULL, hits INTEGER NOT NULL, "
            "prev INTEGER NOT NULL, blocked INTEGER NOT NULL, "
            "last REAL NOT NULL)",))
        self._checks = 0

    def check(self, ip: str, now: float) -> int:
        """Count one request from `ip` at `now`: ALLOWED, BLOCKED or NEWLY_BLOCKED."""
        unit = int(now // max(1, settings.sampling_time_unit))
        limit = settings.reqs_density_per_unit
        db = self.database()
        row = db.execute(_COUNT_SQL, (ip, unit, now, limit))[0]
        self._checks += 1
        if self._checks % SWEEP_EVERY == 0:
            self.sweep(now)
        if int(row["hits"]) > limit:
            # Only the worker whose update flips the flag reports the new block.
            if db.update(IPS, {"blocked": 1}, {"ip": ip, "blocked": 0}) == 1:
                return NEWLY_BLOCKED
            return BLOCKED
        return BLOCKED if row["blocked"] else ALLOWED

    def sweep(self, now: float) -> None:
        """Forget the addresses idle for longer than remove_latency."""
        self.database().delete(IPS, {"last": Cmp("<", now - settings.remove_latency)})

    def top(self, now: float) -> list[dict[str, Any]]:
        """The addresses seen within remove_latency, busiest first."""
        unit = int(now // max(1, settings.sampling_time_unit))
        rows = self.database().execute(
            f"SELECT ip, unit, hits, prev, blocked, last FROM {IPS} WHERE last >= ?",
            (now - settings.remove_latency,))
        out = []
        for r in rows:
            curr = int(r["hits"]) if r["unit"] == unit else 0
            prev = int(r["hits"]) if r["unit"] == unit - 1 else int(r["prev"]) if curr else 0
            out.append({"ip_addr": str(r["ip"]), "leaf_hits_prev": prev,
                        "leaf_hits_curr": curr, "expires": int(r["last"]
                                                               + settings.remove_latency - now),
                        "status": "HOT" if r["blocked"] else "WARM"})
        return sorted(out, key=lambda e: (-(e["leaf_hits_prev"] + e["leaf_hits_curr"]),
                                          e["ip_addr"]))


counters = SharedCounters()
atexit.register(counters.remove_file)


def _init(env: ModuleEnv) -> None:
    """Main process, before the workers fork: the counters' file they share."""
    if settings.sampling_time_unit < 1 or settings.reqs_density_per_unit < 1:
        raise ValueError("pike: sampling_time_unit and reqs_density_per_unit must be >= 1")
    counters.create()


exports.init = _init


def _report(ip: str) -> None:
    level = settings.pike_log_level
    log.log(python_level(level), "PIKE - BLOCKing ip %s, sent more than %d requests in %d s", ip,
            settings.reqs_density_per_unit, settings.sampling_time_unit)


def check_ip(ctx: Context, ip: str, what: str) -> int:
    """Count a request from `ip`; an unusable address or a store failure is logged and allowed
    (Kamailio's pike answers true on internal errors so that it never blocks by mistake)."""
    try:
        address = str(ipaddress.ip_address(ip.strip().strip("[]")))
    except ValueError:
        ctx.log.error("%s: not an IP address: %r", what, ip)
        return ALLOWED
    try:
        result = counters.check(address, ctx.now())
    except DBError as exc:
        ctx.log.error("%s: %s", what, exc)
        return ALLOWED
    if result == NEWLY_BLOCKED:
        _report(address)
    return result


@exports.function("pike_check_req", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Process the source IP of the current request and return false if the IP was exceeding the...")
def pike_check_req(ctx: Context) -> int:
    """Count this message's source IP: 1 allowed, -2 newly blocked, -1 still blocked."""
    if ctx.sip is None:
        return ALLOWED
    return check_ip(ctx, ctx.sip.rcv.src_ip, "pike_check_req")


@exports.function("pike_check_ip", args=1, formats=(0,), routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Process the IP address parameter and return false if it was exceeding the blocking limit.")
def pike_check_ip(ctx: Context, ip: Value) -> int:
    """Count a request from the given address; return codes as pike_check_req()."""
    return check_ip(ctx, to_str(ip), "pike_check_ip")


@exports.rpc("pike.top", "Lists nodes in the pike tree.", ())
def rpc_top(ctx: Any, which: str = "HOT") -> list[dict[str, Any]]:
    """Lists nodes in the pike tree."""
    try:
        entries = counters.top(time.time())
    except DBError as exc:
        raise RPCFault(500, f"pike: {exc}") from None
    if str(which).upper() == "ALL":
        return entries
    return [e for e in entries if e["status"] == "HOT"]
