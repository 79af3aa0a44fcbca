"""Per-module log levels and facilities (dbg.set_mod_level and friends), and dbg.reset_msgid.

The table lives in the debugger's shared memory, so every worker sees a change at its next
message; with `mod_level_mode=1` a worker sets the level of the module's logger
(`siprouter.<module>`; `core` is the `siprouter` logger). A module without an entry falls back
to the core's cfg value (`core.debug`, `core.log_facility`), as Kamailio's does.
"""

from __future__ import annotations

from typing import Any

from siprouter.core.rpc.errors import RPCFault

from .declarations import exports
from .server import current

OK = "200 ok"


def _core_cfg(ctx: Any, name: str, default: Any) -> Any:
    try:
        return ctx.server.cfg.get("core", name)
    except (AttributeError, LookupError, ValueError):
        return default


@exports.rpc("dbg.set_mod_level", params=("module", "level"))
def rpc_set_mod_level(ctx: Any, module: str, level: int) -> str:
    """Set the log level of a module: dbg.set_mod_level <module> <level>."""
    current().set_mod_level(module, level=level)
    return OK


@exports.rpc("dbg.mod_level", params=("_module_", "_level_"))
def rpc_mod_level(ctx: Any, module: str, level: int) -> str:
    """Specify module log level (the 3.x name of dbg.set_mod_level)."""
    return rpc_set_mod_level(ctx, module, level)


@exports.rpc("dbg.get_mod_level", params=("module",))
def rpc_get_mod_level(ctx: Any, module: str) -> int:
    """The log level of a module (the core's debug level when none was set for it)."""
    level, _facility = current().mod_level(module)
    return int(level) if level is not None else int(_core_cfg(ctx, "debug", 0))


@exports.rpc("dbg.set_mod_facility", params=("module", "facility"))
def rpc_set_mod_facility(ctx: Any, module: str, facility: str) -> str:
    """Set the log facility of a module: dbg.set_mod_facility <module> <LOG_LOCAL0..7|...>."""
    if not facility.upper().startswith("LOG_"):
        raise RPCFault(500, "invalid facility parameter")
    current().set_mod_level(module, facility=facility.upper())
    return OK


@exports.rpc("dbg.get_mod_facility", params=("module",))
def rpc_get_mod_facility(ctx: Any, module: str) -> str:
    """The log facility of a module (the core's log_facility when none was set for it)."""
    _level, facility = current().mod_level(module)
    return str(facility) if facility else str(_core_cfg(ctx, "log_facility", "LOG_DAEMON"))


@exports.rpc("dbg.reset_msgid", params=())
def rpc_reset_msgid(ctx: Any) -> str:
    """Resets the message sequence ($mi): needs modparam reset_msgid=1."""
    if not current().settings.reset_msgid:
        raise RPCFault(500, "reset_msgid is 0. Set it to 1 to enable.")
    # $mi here is an identity of the message object, not a counter: nothing to reset.
    raise RPCFault(500, "Not supported: $mi is not a message counter in siprouter")
