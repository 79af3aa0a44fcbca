"""Kamailio's `kex` module as declared exports: Core extensions: branch/script flags, dst URI, stats RPCs."""

from __future__ import annotations

from siprouter.core.cfg.pvsyntax import PVRef
from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType
from siprouter.core.rpc.context import RPCContext
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import Getter, PVError, PVIndex, register_pv_class
from siprouter.core.runtime.values import Value
from siprouter.core.shared.counters import COUNTERS, CounterSet

exports = ModuleExports("kex", doc="Core extensions: branch/script flags, dst URI, stats RPCs")

# Functions
exports.function("setsflag", args=1, routes=RouteType.ANY, doc="Set the script flag.")
exports.function("resetsflag", args=1, routes=RouteType.ANY, doc="Reset the script flag.")
exports.function("issflagset", args=1, routes=RouteType.ANY, doc="Return true of the script flag is set.")
exports.function("setbflag", args=(1, 2), routes=RouteType.ANY, doc="Set the branch flag.")
exports.function("resetbflag", args=(1, 2), routes=RouteType.ANY, doc="Reset the branch flag.")
exports.function("isbflagset", args=(1, 2), routes=RouteType.ANY, doc="Return true of the branch flag is set.")
exports.function("setdsturi", args=1, routes=RouteType.ANY, doc="Set the destination address URI (outbound proxy address).")
exports.function("resetdsturi", args=0, routes=RouteType.ANY, doc="Reset the destination address URI (outbound proxy address).")
exports.function("isdsturiset", args=0, routes=RouteType.ANY, doc="Check if the destination address URI (outbound proxy address) is set.")
exports.function("pv_printf", args=2, routes=RouteType.ANY, doc="Evaluates the str and sets the resulting value to variable var.")
exports.function("avp_printf", args=2, routes=RouteType.ANY, doc="Alias of pv_printf() (moved from avpops).")
# Kamailio 3.1 name; 4.0 replaced it by corex append_branch().
exports.function("km_append_branch", args=(0, 1), routes=REQ_FAIL, doc="Append a branch with the R-URI or the given URI.")
exports.function("is_myself", args=1, routes=RouteType.ANY, doc="Check if the parameter matches the 'myself' condition (i.e., is a local IP or domain).")
exports.function("setdebug", args=1, routes=RouteType.ANY, doc="Set the debug log level per process.")
exports.function("resetdebug", args=0, routes=RouteType.ANY, doc="Reset the local debug log level back to the value of core parameter 'debug'.")

# Pseudo-variables
exports.pv("sruid", inner=False, doc="server unique id, new for each use")
exports.pv("stat", inner=True, doc="Value of a statistic (counter): $stat(name), $stat(group:name)")

# RPC commands
exports.rpc("pkg.stats", "Print private memory (pkg) usage statistics per process.", ())
exports.rpc("pkg.info", "Get pkg manager details.", ())
exports.rpc("mod.mem_stats", "Print private(pkg) or shared(shm) memory currently allocated a given module or by all...", ())
exports.rpc("mod.stats", "Same as RPC command \"mod.mem_stats\", this is an alias command to preserve backward...", ())
exports.rpc("mod.mem_statsx", "Similar to RPC command \"mod.mem_stats\", but the output has an extended format, printing...", ())


# --- statistics: kex's stats.* RPCs and $stat, over the server's counters ----------------------


def find_statistics(counters: CounterSet, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(group, name) of the counters a stats.* argument list selects: `all`, `group:` (a whole
    group), `group:name`, or a bare `name` (in every group that has one)."""
    defs = counters.definitions()
    out: list[tuple[str, str]] = []
    for arg in names:
        if arg == "all":
            picked = [(d.group, d.name) for d in defs]
        elif arg.endswith(":"):
            picked = [(d.group, d.name) for d in defs if d.group == arg[:-1]]
        elif ":" in arg:
            group, _, name = arg.partition(":")
            picked = [(group, name)] if counters.has(group, name) else []
        else:
            picked = [(d.group, d.name) for d in defs if d.name == arg]
        out.extend(p for p in picked if p not in out)
    return out


@exports.rpc("stats.get_statistics", params=("statsid",))
def rpc_get_statistics(ctx: RPCContext, *names: str) -> dict[str, int]:
    """Print the list of available internal statistics: `all`, `group:` or names; an object of
    "group:name" -> value."""
    counters = ctx.server.counters
    picked = find_statistics(counters, names or ("all",))
    return {f"{g}:{n}": counters.value(g, n) for g, n in picked}


def _fetch(ctx: RPCContext, names: tuple[str, ...]) -> dict[str, int]:
    counters = ctx.server.counters
    picked = find_statistics(counters, names or ("all",))
    return {f"{g}.{n}": counters.value(g, n) for g, n in picked}


@exports.rpc("stats.fetch", params=("statsid",))
def rpc_fetch(ctx: RPCContext, *names: str) -> dict[str, int]:
    """Print the list of available internal statistics as an object of "group.name" -> value."""
    return _fetch(ctx, names)


@exports.rpc("stats.fetchn", params=("statsid",))
def rpc_fetchn(ctx: RPCContext, *names: str) -> dict[str, int]:
    """Same as stats.fetch (values are numbers in both)."""
    return _fetch(ctx, names)


@exports.rpc("stats.reset_statistics", params=("statsid",))
def rpc_reset_statistics(ctx: RPCContext, *names: str) -> None:
    """Reset internal statistics (the same selection as stats.get_statistics)."""
    counters = ctx.server.counters
    for g, n in find_statistics(counters, names or ("all",)):
        counters.reset(g, n)


@exports.rpc("stats.clear_statistics", params=("statsid",))
def rpc_clear_statistics(ctx: RPCContext, *names: str) -> dict[str, int]:
    """Return statistics and reset their value in one command."""
    counters = ctx.server.counters
    out = {}
    for g, n in find_statistics(counters, names or ("all",)):
        out[f"{g}:{n}"] = counters.value(g, n)
        counters.reset(g, n)
    return out


def _stat_pv(ref: PVRef, index: PVIndex) -> tuple[Getter, None]:
    name = (ref.inner or "").strip()
    if not name:
        raise PVError("$stat needs a statistic name: $stat(name)")
    key = name.replace(".", ":", 1) if ":" not in name and "." in name else name

    found: list[tuple[str, str]] = []

    def get(ctx: Context) -> Value:
        if not found:
            found.extend(find_statistics(COUNTERS, (key,))[:1])
            if not found:
                return None
        return COUNTERS.value(*found[0])

    return get, None


register_pv_class("stat", _stat_pv)
