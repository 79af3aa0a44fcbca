"""Exports of Kamailio's `ctl` module: binrpc transport for RPC (kamcmd/sercmd)."""

from siprouter.core.exports import ModuleExports

exports = ModuleExports("ctl", doc="binrpc transport for RPC (kamcmd/sercmd)")

# Parameters
exports.param("fifo", str, None, multi=True, doc="fifo used for the obsolete fifo protocol.")
exports.param("binrpc", str, "used", multi=True, doc="Specifies the transport used for the binrpc protocol.")
exports.param("mode", int, None, doc="Permissions used for the created Unix sockets or for the fifo.")
exports.param("user", str, None, multi=True, doc="Username or uid used for the created Unix sockets or for the fifo.")
exports.param("group", str, None, multi=True, doc="Group name or gid used for the created Unix sockets or for the fifo.")
exports.param("autoconversion", int, None, doc="Enable or disable automatic type conversion globally, for all the methods parameters.")
exports.param("binrpc_max_body_size", int, None, doc="Set the size of binrpc buffer for RPC reply.")
exports.param("binrpc_struct_max_body_size", int, None, doc="Set the size of binrpc structure buffer for RPC reply.")
exports.param("binrpc_buffer_size", int, None, doc="The size of the internal buffer used for printing elements of the RPC response (e.g....")

# RPC commands
exports.rpc("ctl.who", "List open binrpc connections.", ())
exports.rpc("ctl.connections", "Return the number of open binrpc connections.", ())
exports.rpc("ctl.listen", "List the sockets the ctl module listens on.", ())
