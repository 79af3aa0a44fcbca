"""What the server needs from the config and the command line, read once at start-up.

Core parameters (`listen`, `port`, `alias`, `children`, `tcp_*`, `enable_tls`, `debug`...) and
the `tls` module's parameters become one `ServerSettings`; the command line (`-l`, `-n`, `-a`)
overrides the config as Kamailio's does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from siprouter.core.cfg import ast
from siprouter.core.runtime.sipstate import SocketInfo
from siprouter.core.transport.connections import StreamLimits
from siprouter.core.transport.listen import Alias, ListenError, parse_alias, parse_listen
from siprouter.core.transport.sockets import resolve_listen_host
from siprouter.core.transport.tls_config import TLSSettings

DEFAULT_LISTEN = "127.0.0.1"  # loopback unless the operator says otherwise (ARCHITECTURE)


class SettingsError(ValueError):
    """A core parameter the server cannot run with."""


@dataclass
class ServerSettings:
    """Everything the server process reads from the config before serving."""

    listen: list[SocketInfo]
    aliases: list[Alias] = field(default_factory=list)
    children: int = 1
    debug: int = 0
    limits: StreamLimits = field(default_factory=StreamLimits)
    tls: TLSSettings | None = None
    max_while_loops: int = 100
    modules: list[str] = field(default_factory=list)


def _truthy(value: Any) -> bool:
    return str(value).strip('"').lower() in ("1", "yes", "on", "true")


def _int(param: ast.GlobalParam) -> int:
    value = param.value if isinstance(param.value, int) else param.raw.strip('"')
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{param.span}: {param.name} must be a number, "
                            f"not {param.raw!r}") from None


def modparam_values(config: ast.Config, module: str) -> dict[str, Any]:
    """The literal modparam values given for one module (last one wins)."""
    out: dict[str, Any] = {}
    for mp in config.modparams:
        if module not in mp.module.split("|"):
            continue
        value = mp.value
        if isinstance(value, ast.StrLit | ast.IntLit):
            out[mp.param] = value.value
        elif isinstance(value, ast.Ident):
            out[mp.param] = value.name
    return out


def from_config(config: ast.Config, *, listen_override: Sequence[str] = (),
                children: int | None = None, auto_aliases: str | None = None) -> ServerSettings:
    """Read the server settings from a parsed config plus command-line overrides."""
    params: dict[str, list[ast.GlobalParam]] = {}
    for item in config.items:
        if isinstance(item, ast.GlobalParam):
            params.setdefault(item.name, []).append(item)

    def last(name: str) -> ast.GlobalParam | None:
        found = params.get(name)
        return found[-1] if found else None

    modules = [m.module for m in config.modules]
    enable_tls = (p := last("enable_tls")) is not None and _truthy(p.value)
    if (p := last("disable_tls")) is not None and _truthy(p.value):
        enable_tls = False
    disable_tcp = (p := last("disable_tcp")) is not None and _truthy(p.value)
    port_param = last("port")
    default_port = _int(port_param) if port_param else None
    protos: tuple[str, ...] = ("udp",) if disable_tcp else ("udp", "tcp")
    if enable_tls and not disable_tcp:
        protos += ("tls",)

    values = list(listen_override) or [p.raw for p in params.get("listen", [])]
    if not values:
        values = [DEFAULT_LISTEN]
    listen: list[SocketInfo] = []
    for text in values:
        try:
            for info in parse_listen(text, default_port=default_port, protos=protos):
                ip = resolve_listen_host(info.ip)
                listen.append(SocketInfo(info.proto, ip, info.port, info.advertised_host,
                                         info.advertised_port))
        except (ListenError, OSError) as exc:
            raise SettingsError(f"listen={text}: {exc}") from None
    if any(s.proto == "tls" for s in listen):
        if not enable_tls:
            raise SettingsError("a tls listen socket needs enable_tls=yes")
        if "tls" not in modules:
            raise SettingsError('tls needs loadmodule "tls.so" (its certificate parameters)')
    if any(s.proto in ("tcp", "tls") for s in listen) and disable_tcp:
        raise SettingsError("tcp/tls listen sockets with disable_tcp=yes")

    aliases = []
    for p in params.get("alias", []):
        try:
            aliases.append(parse_alias(p.raw))
        except ListenError as exc:
            raise SettingsError(f"alias={p.raw}: {exc}") from None
    auto = auto_aliases or (str(p.value) if (p := last("auto_aliases")) else "yes")
    if _truthy(auto) or auto == "yes":
        # Kamailio adds each listen address's host name; ours: the names of the loopback.
        if any(s.ip in ("127.0.0.1", "::1") for s in listen):
            aliases.append(Alias("localhost"))

    limits = StreamLimits(
        lifetime=float(_int(p)) if (p := last("tcp_connection_lifetime")) else 120.0,
        max_connections=_int(p) if (p := last("tcp_max_connections")) else 2048,
        accept_no_cl=(p := last("tcp_accept_no_cl")) is not None and _truthy(p.value),
        connect_timeout=float(_int(p)) if (p := last("tcp_connect_timeout")) else 10.0,
    )
    n = children if children is not None else (_int(p) if (p := last("children")) else 1)
    if n < 1:
        raise SettingsError("children must be at least 1")
    return ServerSettings(
        listen=listen,
        aliases=aliases,
        children=n,
        debug=_int(p) if (p := last("debug")) else 0,
        limits=limits,
        tls=TLSSettings.from_params(modparam_values(config, "tls")) if enable_tls else None,
        max_while_loops=_int(p) if (p := last("max_while_loops")) else 100,
        modules=modules,
    )
