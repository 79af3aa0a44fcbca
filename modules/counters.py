"""Kamailio's `counters` module: script counters (`cnt_inc`, `cnt_add`, `cnt_reset`), `$stat`,
and the cnt.* RPCs over the server's counter set (siprouter.core.shared.counters)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from siprouter.core.exports import ModuleExports, RouteType
from siprouter.core.rpc.context import RPCContext
from siprouter.core.rpc.errors import BAD_REQUEST, RPCFault
from siprouter.core.runtime.values import to_int, to_str
from siprouter.core.shared.counters import COUNTERS, Counter, CounterError, CounterSet

exports = ModuleExports("counters", doc="Script counters and the cnt.* RPCs")

# Parameters
exports.param("script_cnt_grp_name", str, "script", doc="Group name that will be used for the counters defined via the script_counter module...")
exports.param("script_counter", str, None, multi=True, doc="Define a new counter that can be used from the script.")

_ROUTES = RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.ONSEND
DEFAULT_DESCRIPTION = "custom script counter"

_group = "script"
_cache: dict[str, Counter] = {}


def parse_script_counter(text: str, default_group: str) -> tuple[str, str, str]:
    """`[group.]name[( |:)description]` -> (group, name, description)."""
    text = text.strip()
    cut = min((i for i in (text.find(" "), text.find(":")) if i >= 0), default=-1)
    full, doc = (text[:cut], text[cut + 1:].strip()) if cut >= 0 else (text, "")
    group, dot, name = full.partition(".")
    if not dot:
        group, name = default_group, full
    return group, name, doc or DEFAULT_DESCRIPTION


def define_script_counters(values: Iterable[Any], group: str | None = None,
                           counters: CounterSet = COUNTERS) -> list[Counter]:
    """Define the `script_counter` modparams (before the counters are shared)."""
    global _group
    if group:
        _group = group
    out = []
    for value in values:
        if isinstance(value, str) and value.strip():
            g, n, d = parse_script_counter(value, _group)
            out.append(counters.define(g, n, d))
    return out


def _lookup(name: Any) -> Counter | None:
    text = to_str(name)
    handle = _cache.get(text)
    if handle is None:
        group, dot, cname = text.partition(".")
        if not dot:
            group, cname = _group, text
        try:
            handle = COUNTERS.handle(group, cname)
        except CounterError:
            return None
        _cache[text] = handle
    return handle


@exports.function("cnt_inc", args=1, routes=_ROUTES)
def cnt_inc(ctx: Any, name: Any) -> int:
    """Increments the counter group.name."""
    handle = _lookup(name)
    if handle is None:
        ctx.log.error("cnt_inc: no counter %s (declare it with script_counter)", name)
        return -1
    handle.inc()
    return 1


@exports.function("cnt_add", args=2, routes=_ROUTES)
def cnt_add(ctx: Any, name: Any, n: Any) -> int:
    """Adds number the counter group.name."""
    handle = _lookup(name)
    if handle is None:
        ctx.log.error("cnt_add: no counter %s (declare it with script_counter)", name)
        return -1
    handle.add(to_int(n))
    return 1


@exports.function("cnt_reset", args=1, routes=_ROUTES)
def cnt_reset(ctx: Any, name: Any) -> int:
    """Resets the counter group.name."""
    handle = _lookup(name)
    if handle is None:
        ctx.log.error("cnt_reset: no counter %s (declare it with script_counter)", name)
        return -1
    handle.reset()
    return 1


# --- RPC commands -------------------------------------------------------------------------------


def _counter(ctx: RPCContext, group: str, name: str) -> tuple[CounterSet, str, str]:
    counters = ctx.server.counters
    if not counters.has(group, name):
        raise RPCFault(BAD_REQUEST, f"non-existent counter {group}.{name}")
    return counters, group, name


def _names(ctx: RPCContext, group: str) -> list[str]:
    """The counters of `group`, none for an unknown group (Kamailio answers it with an empty
    list or object, not a fault)."""
    try:
        return ctx.server.counters.names(group)
    except CounterError:
        return []


@exports.rpc("cnt.get", params=("group", "name"))
def rpc_get(ctx: RPCContext, group: str, name: str = "") -> int | dict[str, int]:
    """get counter value (takes group and counter name as parameters)"""
    if not name:  # every counter of the group, as Kamailio answers
        return _grp_get_all(ctx, group)
    counters, g, n = _counter(ctx, group, name)
    return counters.value(g, n)


@exports.rpc("cnt.get_raw", params=("group", "name"))
def rpc_get_raw(ctx: RPCContext, group: str, name: str) -> int:
    """get raw counter value (debugging version)"""
    counters, g, n = _counter(ctx, group, name)
    return counters.raw(g, n)


@exports.rpc("cnt.reset", params=("group", "name"))
def rpc_reset(ctx: RPCContext, group: str, name: str) -> None:
    """reset counter (takes group and counter name as parameters)"""
    counters, g, n = _counter(ctx, group, name)
    counters.reset(g, n)


def _groups(ctx: RPCContext) -> list[str]:
    return ctx.server.counters.groups()


@exports.rpc("cnt.grps_list")
def rpc_grps_list(ctx: RPCContext) -> list[str]:
    """list all the counter group names"""
    return _groups(ctx)


@exports.rpc("cnt.list_groups")
def rpc_list_groups(ctx: RPCContext) -> list[str]:
    """list all the counter group names"""
    return _groups(ctx)


@exports.rpc("cnt.var_list", params=("group",))
def rpc_var_list(ctx: RPCContext, group: str) -> list[str]:
    """list all the counters names in a specified group"""
    return _names(ctx, group)


@exports.rpc("cnt.list_vars", params=("group",))
def rpc_list_vars(ctx: RPCContext, group: str) -> list[str]:
    """list all the counters names in a specified group"""
    return _names(ctx, group)


def _grp_get_all(ctx: RPCContext, group: str) -> dict[str, int]:
    counters = ctx.server.counters
    return {n: counters.value(group, n) for n in _names(ctx, group)}


@exports.rpc("cnt.grp_get_all", params=("group",))
def rpc_grp_get_all(ctx: RPCContext, group: str) -> dict[str, int]:
    """list all counter names and values in a specified group"""
    return _grp_get_all(ctx, group)


@exports.rpc("cnt.get_vars", params=("group",))
def rpc_get_vars(ctx: RPCContext, group: str) -> dict[str, int]:
    """list all counter names and values in a specified group"""
    return _grp_get_all(ctx, group)


@exports.rpc("cnt.help", params=("group", "name"))
def rpc_help(ctx: RPCContext, group: str, name: str) -> str:
    """print the description of a counter (group and counter name required)."""
    counters, g, n = _counter(ctx, group, name)
    return counters.doc(g, n)
