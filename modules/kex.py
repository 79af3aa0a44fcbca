"""Kamailio's `kex` module: script and branch flags, the destination URI, pv_printf, is_myself,
and the stats RPCs.

Branch flags: branch 0 is the R-URI's (`Context.bflags`), branch n the n-th additional branch
(`SipState.branches[n - 1]`). Script flags live per message with the SIP state. Flag and branch
arguments may be PVs written inside the string ("$var(flag)"), as in Kamailio.
"""

from __future__ import annotations

from siprouter.core.cfg.pvsyntax import PVRef
from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType
from siprouter.core.rpc.context import RPCContext
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.core_actions import MAX_FLAG
from siprouter.core.runtime.pv import (
    Getter,
    PVError,
    PVIndex,
    compile_format,
    compile_pv,
    register_pv_class,
)
from siprouter.core.runtime.sip_actions import append_branch
from siprouter.core.runtime.sip_pvs import is_myself as check_myself
from siprouter.core.runtime.sip_pvs import marks
from siprouter.core.runtime.sip_transforms import try_uri
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.shared.counters import COUNTERS, CounterSet

exports = ModuleExports("kex", doc="Core extensions: branch/script flags, dst URI, stats RPCs")

# Functions: declared only (the others are declared with their implementation below)
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


def _flag(ctx: Context, v: Value, what: str) -> int | None:
    text = to_str(v).strip()
    flag = to_int(v)
    if text == "" or not 0 <= flag <= MAX_FLAG:
        ctx.log.error("%s: flag %r out of range 0..%d", what, text, MAX_FLAG)
        return None
    return flag


# --- script flags ---------------------------------------------------------------------------------


def _sflags(ctx: Context, v: Value, what: str) -> tuple[int, object] | None:
    flag = _flag(ctx, v, what)
    if flag is None or ctx.sip is None:
        if ctx.sip is None:
            ctx.log.error("%s: script flags need the SIP state", what)
        return None
    return flag, marks(ctx.sip)


@exports.function("setsflag", formats=(0,), args=1, routes=RouteType.ANY, doc="Set the script flag.")
def setsflag(ctx: Context, flag: Value) -> int:
    """Set a script flag."""
    got = _sflags(ctx, flag, "setsflag")
    if got is None or ctx.sip is None:
        return -1
    marks(ctx.sip).sflags |= 1 << got[0]
    return 1


@exports.function("resetsflag", formats=(0,), args=1, routes=RouteType.ANY, doc="Reset the script flag.")
def resetsflag(ctx: Context, flag: Value) -> int:
    """Reset a script flag."""
    got = _sflags(ctx, flag, "resetsflag")
    if got is None or ctx.sip is None:
        return -1
    marks(ctx.sip).sflags &= ~(1 << got[0])
    return 1


@exports.function("issflagset", formats=(0,), args=1, routes=RouteType.ANY, doc="Return true of the script flag is set.")
def issflagset(ctx: Context, flag: Value) -> int:
    """True when a script flag is set."""
    got = _sflags(ctx, flag, "issflagset")
    if got is None or ctx.sip is None:
        return -1
    return 1 if marks(ctx.sip).sflags & (1 << got[0]) else -1


# --- branch flags ---------------------------------------------------------------------------------


def _branch_flags(ctx: Context, flag: Value, branch: Value, what: str,
                  change: int | None) -> int:
    """Test (change None), set (1) or reset (0) a branch flag; -1 for a bad flag/branch."""
    f = _flag(ctx, flag, what)
    index = to_int(branch)
    branches = ctx.sip.branches if ctx.sip is not None else []
    if f is None:
        return -1
    if not 0 <= index <= len(branches):
        ctx.log.error("%s: no branch %d", what, index)
        return -1
    current = ctx.bflags if index == 0 else branches[index - 1].flags
    if change is None:
        return 1 if current & (1 << f) else -1
    new = current | (1 << f) if change else current & ~(1 << f)
    if index == 0:
        ctx.bflags = new
    else:
        branches[index - 1].flags = new
    return 1


@exports.function("setbflag", formats=(0, 1), args=(1, 2), routes=RouteType.ANY, doc="Set the branch flag.")
def setbflag(ctx: Context, flag: Value, branch: Value = 0) -> int:
    """Set a branch flag (branch 0, the R-URI, when omitted)."""
    return _branch_flags(ctx, flag, branch, "setbflag", 1)


@exports.function("resetbflag", formats=(0, 1), args=(1, 2), routes=RouteType.ANY, doc="Reset the branch flag.")
def resetbflag(ctx: Context, flag: Value, branch: Value = 0) -> int:
    """Reset a branch flag."""
    return _branch_flags(ctx, flag, branch, "resetbflag", 0)


@exports.function("isbflagset", formats=(0, 1), args=(1, 2), routes=RouteType.ANY, doc="Return true of the branch flag is set.")
def isbflagset(ctx: Context, flag: Value, branch: Value = 0) -> int:
    """True when a branch flag is set."""
    return _branch_flags(ctx, flag, branch, "isbflagset", None)


# --- destination URI ----------------------------------------------------------------------------


@exports.function("setdsturi", args=1, routes=RouteType.ANY, doc="Set the destination address URI (outbound proxy address).")
def setdsturi(ctx: Context, uri: Value) -> int:
    """Set the destination URI ($du)."""
    text = to_str(uri).strip()
    if ctx.sip is None or try_uri(text) is None:
        ctx.log.error("setdsturi: not a URI: %r", text)
        return -1
    ctx.sip.dst_uri = text
    return 1


@exports.function("resetdsturi", args=0, routes=RouteType.ANY, doc="Reset the destination address URI (outbound proxy address).")
def resetdsturi(ctx: Context) -> int:
    """Forget the destination URI."""
    if ctx.sip is not None:
        ctx.sip.dst_uri = ""
    return 1


@exports.function("isdsturiset", args=0, routes=RouteType.ANY, doc="Check if the destination address URI (outbound proxy address) is set.")
def isdsturiset(ctx: Context) -> int:
    """True when a destination URI is set."""
    return 1 if ctx.sip is not None and ctx.sip.dst_uri else -1


# --- pv_printf, branches, myself ----------------------------------------------------------------


def _printf(ctx: Context, var: Value, fmt: Value, what: str) -> int:
    try:
        target = compile_pv(to_str(var).strip())
        text = compile_format(to_str(fmt))(ctx)
    except PVError as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    if target.set is None:
        ctx.log.error("%s: %s is read-only", what, to_str(var))
        return -1
    target.set(ctx, text)
    return 1


@exports.function("pv_printf", args=2, routes=RouteType.ANY, doc="Evaluates the str and sets the resulting value to variable var.")
def pv_printf(ctx: Context, var: Value, fmt: Value) -> int:
    """Expand the format (PVs in it) and assign the text to the PV named by `var`."""
    return _printf(ctx, var, fmt, "pv_printf")


@exports.function("avp_printf", args=2, routes=RouteType.ANY, doc="Alias of pv_printf() (moved from avpops).")
def avp_printf(ctx: Context, var: Value, fmt: Value) -> int:
    """Alias of pv_printf()."""
    return _printf(ctx, var, fmt, "avp_printf")


@exports.function("km_append_branch", formats=(0,), args=(0, 1), routes=REQ_FAIL, doc="Append a branch with the R-URI or the given URI.")
def km_append_branch(ctx: Context, uri: Value = None) -> int:
    """Append a branch with the R-URI (and $du, path, flags) or with the given URI."""
    return append_branch(ctx, uri)


@exports.function("is_myself", formats=(0,), args=1, routes=RouteType.ANY, doc="Check if the parameter matches the 'myself' condition (i.e., is a local IP or domain).")
def is_myself(ctx: Context, uri: Value) -> int:
    """True when the URI (or host[:port]) is one of our addresses or aliases."""
    return 1 if check_myself(ctx, uri) else -1
