"""Kamailio's `ctl` module as declared exports: binrpc transport for RPC (kamcmd/sercmd)."""

from __future__ import annotations

from typing import Any

from siprouter.core.exports import ModuleExports
from siprouter.core.rpc.context import RPCContext

exports = ModuleExports("ctl", doc="binrpc transport for RPC (kamcmd/sercmd)")

# Parameters
exports.param("fifo", str, None, multi=True, doc="fifo used for the obsolete fifo protocol.")
exports.param("binrpc", str, "unix:/run/kamailio/kamailio_ctl", multi=True, doc="Specifies the transport used for the binrpc protocol.")
exports.param("mode", int, 0o600, doc="Permissions used for the created Unix sockets or for the fifo.")
exports.param("user", str, None, doc="Username or uid used for the created Unix sockets or for the fifo.")
exports.param("group", str, None, doc="Group name or gid used for the created Unix sockets or for the fifo.")
exports.param("autoconversion", int, 0, doc="Enable or disable automatic type conversion globally, for all the methods parameters.")
exports.param("binrpc_max_body_size", int, 32, doc="Set the size of binrpc buffer for RPC reply.")
exports.param("binrpc_struct_max_body_size", int, 8, doc="Set the size of binrpc structure buffer for RPC reply.")
exports.param("binrpc_buffer_size", int, 1024, doc="The size of the internal buffer used for printing elements of the RPC response (e.g....")

# RPC commands


@exports.rpc("ctl.who")
def rpc_who(ctx: RPCContext) -> list[dict[str, Any]]:
    """List open management connections."""
    return ctx.server.connections()


@exports.rpc("ctl.connections")
def rpc_connections(ctx: RPCContext) -> int:
    """Return the number of open management connections."""
    return len(ctx.server.connections())


@exports.rpc("ctl.listen")
def rpc_listen(ctx: RPCContext) -> list[str]:
    """List the sockets the management server listens on (binrpc itself is not served)."""
    return list(ctx.server.management)
