"""Handlers of the core's RPCs (`core.*`, `system.*`), attached to the names
`core/runtime/core_exports.py` declares; importing this module attaches them."""

from __future__ import annotations

import ipaddress
import os
import platform
import signal
import socket
import time
from typing import Any

from siprouter.core.runtime.core_exports import exports

from .attach import attach
from .context import ListenSocket, RPCContext, package_version
from .errors import BAD_REQUEST, MethodNotFound, RPCFault
from .sockets import parse_alias, parse_listen

Struct = dict[str, Any]


@attach(exports, "core.version")
def core_version(ctx: RPCContext) -> str:
    return ctx.server.version


@attach(exports, "core.uptime")
def core_uptime(ctx: RPCContext) -> Struct:
    now = ctx.server.clock()
    return {"now": time.ctime(now), "up_since": time.ctime(ctx.server.start_time),
            "uptime": int(now - ctx.server.start_time)}


@attach(exports, "core.ps")
def core_ps(ctx: RPCContext) -> list[Any]:
    out: list[Any] = []
    for p in ctx.server.processes():
        out += [p.pid, p.description]
    return out


@attach(exports, "core.psx")
def core_psx(ctx: RPCContext) -> list[Struct]:
    return [{"IDX": p.rank, "PID": p.pid, "DSC": p.description} for p in ctx.server.processes()]


@attach(exports, "core.info")
def core_info(ctx: RPCContext) -> Struct:
    return {"version": f"siprouter {package_version()}", "id": "unknown",
            "compiler": f"{platform.python_implementation()} {platform.python_version()}",
            "compiled": "", "flags": _flags()}


@attach(exports, "core.runinfo")
def core_runinfo(ctx: RPCContext) -> Struct:
    info = core_info(ctx)
    info.update(core_uptime(ctx))
    return info


@attach(exports, "core.flags")
def core_flags(ctx: RPCContext) -> str:
    return _flags()


def _flags() -> str:
    return "USE_TCP, USE_TLS, USE_RAW_SOCKS, SHM_MMAP, PYTHON"


@attach(exports, "core.echo")
def core_echo(ctx: RPCContext, *values: Any) -> list[Any]:
    return list(values)


@attach(exports, "core.printi")
def core_printi(ctx: RPCContext, *values: int) -> list[int]:
    return list(values)


@attach(exports, "core.prints")
def core_prints(ctx: RPCContext, *values: str) -> list[str]:
    return list(values)


@attach(exports, "core.arg")
def core_arg(ctx: RPCContext) -> list[str]:
    return list(ctx.server.argv)


@attach(exports, "core.pwd")
def core_pwd(ctx: RPCContext) -> list[str]:
    return [os.getcwd()]


_SIGNALS = {"TERM": signal.SIGTERM, "INT": signal.SIGINT, "KILL": signal.SIGKILL,
            "HUP": signal.SIGHUP, "USR1": signal.SIGUSR1, "USR2": signal.SIGUSR2}


@attach(exports, "core.kill")
def core_kill(ctx: RPCContext, sig: str = "15") -> None:
    name = sig.upper().removeprefix("SIG")
    if name in _SIGNALS:
        signum = int(_SIGNALS[name])
    else:
        try:
            signum = int(sig)
        except ValueError:
            raise RPCFault(BAD_REQUEST, f"bad signal {sig}") from None
    if signum not in set(signal.valid_signals()):
        raise RPCFault(BAD_REQUEST, f"bad signal {sig}")
    ctx.server.kill(signum)


@attach(exports, "core.modules")
def core_modules(ctx: RPCContext) -> list[str]:
    return ctx.server.modules


@attach(exports, "core.ppdefines")
def core_ppdefines(ctx: RPCContext) -> list[str]:
    return list(ctx.server.settings.defines)


@attach(exports, "core.ppdefines_full")
def core_ppdefines_full(ctx: RPCContext) -> list[Struct]:
    return [{"name": k, "value": v if v is not None else ""}
            for k, v in ctx.server.settings.defines.items()]


@attach(exports, "core.sockets_list")
def core_sockets_list(ctx: RPCContext) -> list[Struct]:
    """Kamailio's shape: one `socket` struct per listen socket, the host name's address as
    `ipaddress` only where the socket was named by a host name."""
    sockets = ctx.server.sockets or [
        s for text in ctx.server.settings.params.get("listen", []) if isinstance(text, str)
        for s in parse_listen(text)]
    return [{"socket": _socket_struct(s)} for s in sockets]


def _socket_struct(s: ListenSocket) -> Struct:
    out: Struct = {"proto": s.proto, "address": s.address}
    if not _is_ip(s.address):
        out["ipaddress"] = _resolve(s.address)
    out.update({"port": str(s.port), "mcast": "no", "mhomed": "no", "virtual": "no"})
    if s.advertised:
        out["advertise"] = s.advertised
    return out


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _resolve(host: str) -> str:
    try:
        return socket.gethostbyname(host)
    except OSError:
        return host


_LOOPBACK = ("127.0.0.1", "::1")


@attach(exports, "core.aliases_list")
def core_aliases_list(ctx: RPCContext) -> Struct:
    """Kamailio's shape: `myself_callbacks` and the `aliases` (`proto`, `address`, `port`;
    `*` for any), the most recently added first as Kamailio keeps them: the automatic
    aliases of the listen sockets, then the `alias=` values from the last to the first."""
    configured = [parse_alias(text) for text in ctx.server.settings.params.get("alias", [])
                  if isinstance(text, str)]
    known = {(host, port) for _, host, port in configured}
    automatic: list[tuple[str, str, int]] = []
    for host, port in ctx.server.aliases:
        if (host, port) in known:
            continue
        if host == "localhost" and not port:  # the auto alias of each loopback socket
            automatic += [(s.proto, host, s.port) for s in ctx.server.sockets
                          if s.address in _LOOPBACK]
        else:
            automatic.append(("", host, port))
    aliases = [{"alias": {"proto": proto or "*", "address": host, "port": port or "*"}}
               for proto, host, port in reversed(configured + automatic)]
    return {"myself_callbacks": "no", "aliases": aliases}


def _counter(ctx: RPCContext, group: str, name: str) -> int:
    """A counter's value, 0 where this server has no such counter (no transports loaded)."""
    counters = ctx.server.counters
    return counters.value(group, name) if counters.has(group, name) else 0


@attach(exports, "core.tcp_info")
def core_tcp_info(ctx: RPCContext) -> Struct:
    s = ctx.server.settings
    info: Struct = {
        "readers": int(s.param("tcp_children", s.param("children", 8)) or 0),
        "max_connections": int(s.param("tcp_max_connections", 4096) or 0),
        "max_tls_connections": int(s.param("tls_max_connections", 2048) or 0),
        # Summed over the workers from their shared counters (each counts its own).
        "opened_connections": _counter(ctx, "tcp", "current_opened_connections"),
        "opened_tls_connections": _counter(ctx, "tls", "current_opened_connections"),
        "write_queued_bytes": 0,
    }
    info.update(ctx.server.tcp_info())
    return info


@attach(exports, "core.tcp_options")
def core_tcp_options(ctx: RPCContext) -> Struct:
    s = ctx.server.settings
    return {"connect_timeout": s.param("tcp_connect_timeout", 10),
            "send_timeout": s.param("tcp_send_timeout", 10),
            "connection_lifetime": s.param("tcp_connection_lifetime", 120),
            "max_connections(soft)": s.param("tcp_max_connections", 4096),
            "no_connect": s.param("tcp_no_connect", 0),
            "keepalive": s.param("tcp_keepalive", 1),
            "crlf_ping": s.param("tcp_crlf_ping", 1)}


@attach(exports, "core.tcp_list")
def core_tcp_list(ctx: RPCContext) -> list[Struct]:
    return [c for c in ctx.server.connections() if c.get("proto") in ("tcp", "tls")]


_UNITS = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3}


@attach(exports, "core.shmmem")
def core_shmmem(ctx: RPCContext, units: str = "b") -> Struct:
    div = _UNITS.get(units.lower())
    if div is None:
        raise RPCFault(BAD_REQUEST, f"bad units {units} (b, k, m or g)")
    segments = [seg for seg in (ctx.server.counters.segment, ctx.server.cfg.segment) if seg]
    total = sum(seg.size for seg in segments)
    return {"total": total // div, "free": 0, "used": total // div, "real_used": total // div,
            "max_used": total // div, "fragments": len(segments)}


@attach(exports, "core.udp4_raw_info")
def core_udp4_raw_info(ctx: RPCContext) -> Struct:
    s = ctx.server.settings
    return {"udp4_raw": int(s.param("udp4_raw", 0) or 0),
            "udp4_raw_mtu": int(s.param("udp4_raw_mtu", 1500) or 0),
            "udp4_raw_ttl": int(s.param("udp4_raw_ttl", -1) or 0)}


@attach(exports, "system.listMethods")
def system_list_methods(ctx: RPCContext) -> list[str]:
    names: list[str] = ctx.registry.names()
    return names


@attach(exports, "system.methodHelp")
def system_method_help(ctx: RPCContext, method: str = "") -> str:
    # Kamailio's faults: 400 for an unknown method (not the 500 of calling one), 400 without one.
    if not method:
        raise RPCFault(BAD_REQUEST, "Method Name Expected")
    try:
        doc: str = ctx.registry.get(method).doc
    except MethodNotFound:
        raise RPCFault(BAD_REQUEST, "command not found") from None
    return doc


@attach(exports, "system.methodSignature")
def system_method_signature(ctx: RPCContext, method: str) -> list[list[str]]:
    return [ctx.registry.get(method).signature()]

