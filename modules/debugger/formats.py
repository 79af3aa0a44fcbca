"""The debugger's texts, in Kamailio's formats (reference section 2): cfgtrace lines, breakpoint
locations (`at bkp [...]`, `exec [...]`) and PV evaluations (`$pv : t=str v=...`)."""

from __future__ import annotations

from siprouter.core.exports import RouteType
from siprouter.core.runtime.tracing import ActionInfo
from siprouter.core.runtime.values import Value

# Route type -> the cfgtrace prefix (Kamailio's dbg_get_route_type_name). event_route blocks
# run as request routes (RouteType.EVENT == REQUEST), as in Kamailio.
_ROUTE_TYPE_NAMES: dict[int, str] = {
    RouteType.REQUEST: "request_route",
    RouteType.FAILURE: "failure_route",
    RouteType.TM_ONREPLY: "onreply_route",
    RouteType.CORE_ONREPLY: "onreply_route",
    RouteType.BRANCH: "branch_route",
    RouteType.ONSEND: "onsend_route",
    RouteType.ERROR: "error_route",
    RouteType.LOCAL: "local_route",
    RouteType.BRANCH_FAILURE: "branch_failure_route",
}

DEFAULT_ROUTE = "DEFAULT_ROUTE"


def route_type_name(route_type: int) -> str:
    return _ROUTE_TYPE_NAMES.get(int(route_type), "unknown_route")


def trace_route_name(route_key: str) -> str:
    """The `[name]` of a cfgtrace line: the route's name, DEFAULT_ROUTE for unnamed blocks."""
    _, sep, name = route_key.partition(":")
    return name if sep and name else DEFAULT_ROUTE


def display_route(route_key: str) -> str:
    """A route key as written in the cfg: `request_route`, `route[RELAY]`,
    `failure_route[MANAGE_FAILURE]`."""
    kind, sep, name = route_key.partition(":")
    return f"{kind}[{name}]" if sep else kind


def trace_body(info: ActionInfo, with_file: bool = True) -> str:
    """`=[<route>] c=[<file>] l=<line> a=<kind> n=<name>`: everything after the route type.
    cfgtrace_format=1 leaves out the `c=[file]` part."""
    where = f" c=[{info.file}]" if with_file else ""
    return (f"=[{trace_route_name(info.route)}]{where} l={info.line} a={int(info.kind)} "
            f"n={info.name}")


def location(info: ActionInfo) -> str:
    """`[<file>:<line>] a=<kind> n=<name>`."""
    return f"[{info.file}:{info.line}] a={int(info.kind)} n={info.name}"


def at_breakpoint(info: ActionInfo) -> str:
    """dbg.bp show: the action about to run."""
    return "at bkp " + location(info)


def executed(info: ActionInfo) -> str:
    """dbg.bp next / dbg.step: the action just released."""
    return "exec " + location(info)


def hit_line(pid: int, info: ActionInfo) -> str:
    """What a worker logs when a breakpoint stops it."""
    return (f"breakpoint hit: p=[{pid}] c=[{info.file}] l={info.line} a={int(info.kind)} "
            f"n={info.name}")


def evaluated(pv: str, value: Value) -> str:
    """`<pv> : t=null`, `<pv> : t=int v=<n>` or `<pv> : t=str v=<text>`."""
    if value is None:
        return f"{pv} : t=null"
    if isinstance(value, int):
        return f"{pv} : t=int v={value}"
    return f"{pv} : t=str v={value}"
