"""Kamailio's `jsonrpcs` module as declared exports: JSON-RPC server for RPC commands (FIFO, datagram, HTTP)."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("jsonrpcs", doc="JSON-RPC server for RPC commands (FIFO, datagram, HTTP)")

# Parameters
exports.param("pretty_format", int, 1, doc="Pretty format for JSON-RPC response document if set to 1.")
exports.param("transport", int, 6, doc="Control what transports are enabled.")
exports.param("fifo_name", str, "kamailio_rpc.fifo", doc="The name of the FIFO file to be created for listening and reading external commands.")
exports.param("fifo_mode", int, 0o660, doc="Permission to be used for creating the listening FIFO file.")
# fifo_/dgram_ user and group take a name or a numeric id (Kamailio registers both types).
exports.param("fifo_group", (str, int), None, doc="System Group to be used for creating the listening FIFO file.")
exports.param("fifo_user", (str, int), None, doc="System User to be used for creating the listening FIFO file.")
exports.param("fifo_reply_dir", str, "/tmp/", doc="Directory to be used for creating the reply FIFO files.")
exports.param("dgram_socket", str, "kamailio_rpc.sock", doc="The name of a Unix socket file or an IP address.")
exports.param("dgram_workers", int, 1, doc="The number of worker processes to be created.")
exports.param("dgram_timeout", int, 2000, doc="The reply will expire after trying to sent it for socket_timeout milliseconds.")
exports.param("dgram_mode", int, 0o660, doc="Permission to be used for creating the listening UNIX datagram socket.")
exports.param("dgram_group", (str, int), None, doc="Group to be used for creating the listening UNIX socket.")
exports.param("dgram_user", (str, int), None, doc="User to be used for creating the listening UNIX socket.")
# siprouter: the stand-alone management listener and its safety settings (docs/rpc.md).
exports.param("http_listen", str, None, multi=True, doc="siprouter: host:port of the HTTP management listener (JSON-RPC on /RPC, XML-RPC on /RPC2).")
exports.param("stream_socket", str, None, doc="siprouter: path of a unix stream socket serving JSON-RPC, one request per line.")
exports.param("allow_from", str, None, multi=True, doc="siprouter: address or network (besides loopback) allowed to use a non-loopback management listener.")
exports.param("http_token", str, None, doc="siprouter: when set, HTTP requests need 'Authorization: Bearer <token>'.")
exports.param("max_request_size", int, 65536, doc="siprouter: largest request accepted, in bytes.")
exports.param("http_timeout", int, 10, doc="siprouter: seconds a management connection may be idle or slow before it is closed.")

# Functions
exports.function("jsonrpc_dispatch", args=0, routes=RouteType.REQUEST, doc="Handle the JSONRPC request and generate a response.")
exports.function("jsonrpc_exec", args=1, routes=RouteType.ANY, doc="Execute a JSON-RPC command given as a parameter.")

# Pseudo-variables
exports.pv("jsonrpl", inner=True, doc="JSON-RPC reply of jsonrpc_exec(): code, text, body")
