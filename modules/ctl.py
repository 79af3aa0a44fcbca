"""Kamailio's `ctl` module: binrpc transport for RPC (kamcmd). The listeners are served by
the management process (`siprouter.core.rpc.binrpc_server`); here are the parameters and the
ctl.* RPCs."""

from __future__ import annotations

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

# siprouter: who besides loopback may use a tcp/udp binrpc listener (jsonrpcs' allow_from counts
# too); one bound beyond loopback without it is refused at start-up.
exports.param("allow_from", str, None, multi=True, doc="siprouter: addresses/networks (besides loopback) that may use a tcp/udp binrpc listener.")

# RPC commands. Like Kamailio's, the rows are flat: ctl.listen four values per listener
# (protocol, type, address, port), ctl.who six per connection (protocol, type, source
# address and port, destination address and port) -- what kamcmd's `listen` and `who`
# aliases print with "[%v] %v: %v %v". The management process fills them (binrpc and the
# JSON-RPC/XML-RPC listeners); a SIP worker has none.


@exports.rpc("ctl.who")
def rpc_who(ctx: RPCContext) -> list[str]:
    """List open binrpc and management connections: protocol, type, source address and port,
    destination address and port."""
    return [value for row in ctx.server.who() for value in row]


@exports.rpc("ctl.connections")
def rpc_connections(ctx: RPCContext) -> int:
    """Return the number of open binrpc and management connections."""
    return len(ctx.server.who())


@exports.rpc("ctl.listen")
def rpc_listen(ctx: RPCContext) -> list[str]:
    """List the binrpc and management listeners: protocol, type, address, port."""
    return [value for row in ctx.server.listeners() for value in row]
