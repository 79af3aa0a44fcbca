"""Kamailio's `corex` module: old core functions reimplemented, plus send/socket helpers.

`append_branch([uri[, q]])` is implemented (the same action as the 3.1 core one); the sending
and socket functions belong to the server side and are declared only.
"""

from __future__ import annotations

from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType
from siprouter.core.runtime import sip_actions
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.values import Value

exports = ModuleExports("corex", doc="Old core functions reimplemented, plus send/socket helpers")

# Parameters
exports.param("alias_subdomains", str, None, multi=True, doc="Register a domain and all its sub-domains to match the “myself” condition.")
exports.param("dns_cache", str, None, multi=True, doc="Add A or AAAA records to internal DNS cache at startup.")
exports.param("nio_intercept", int, 0, doc="If set to non-zero then raw data received from a remote host or about to be sent to a...")
exports.param("nio_min_msg_len", int, 0, doc="Minimum content length of the packet to execute the event_route[network:msg].")
exports.param("nio_msg_avp", str, None, doc="AVP name to store modified content to be set in the packet.")
exports.param("evcb_reply_out", str, None, doc="Name of KEMI callback function to be executed instead of event_route[corex:reply-out].")

# Functions
exports.function("forward_reply", args=0, routes=RouteType.CORE_ONREPLY, doc="Forward received reply on demand.")
exports.function("send_udp", args=(0, 1), routes=REQ_FAIL, doc="Send the original SIP message to a specific destination in stateless mode.")
exports.function("send_tcp", args=(0, 1), routes=REQ_FAIL, doc="This function is identical to send_udp() described above, except that it sends the SIP...")
exports.function("send_data", args=2, routes=RouteType.ANY, doc="Send the data to address specified by uri.")
exports.function("sendx", args=3, routes=RouteType.ANY, doc="Send the data to address specified by uri using a specific local socket.")
exports.function("is_incoming", args=0, routes=RouteType.ANY, doc="Returns true if contents of message buffer $mb are the data received from remote host...")
exports.function("msg_iflag_set", args=1, routes=RouteType.ANY, doc="Set internal SIP message flag.")
exports.function("msg_iflag_reset", args=1, routes=RouteType.ANY, doc="Reset the internal flag given as parameter.")
exports.function("msg_iflag_is_set", args=1, routes=RouteType.ANY, doc="Test if the internal flag given as parameter is set.")
exports.function("file_read", args=2, routes=RouteType.ANY, doc="Read content of a text file into a variable.")
exports.function("file_write", args=2, routes=RouteType.ANY, doc="Write content of parameter to a text file.")
exports.function("setxflag", args=1, routes=RouteType.ANY, doc="Set the extended message (transaction) flag.")
exports.function("resetxflag", args=1, routes=RouteType.ANY, doc="Reset the extended message (transaction) flag.")
exports.function("isxflagset", args=1, routes=RouteType.ANY, doc="Return true of the extended message (transaction) flag is set.")
exports.function("set_send_socket", args=1, routes=RouteType.ANY, doc="Set the socket for sending out.")
exports.function("set_send_socket_name", args=1, routes=RouteType.ANY, doc="Set the socket for sending out.")
exports.function("set_recv_socket", args=1, routes=RouteType.ANY, doc="Switch local socket used for receiving the message.")
exports.function("set_recv_socket_name", args=1, routes=RouteType.ANY, doc="Switch local socket used for receiving the message.")
exports.function("set_source_address", args=1, routes=RouteType.ANY, doc="Set the source address for the message.")
exports.function("via_add_srvid", args=1, routes=RouteType.ANY, doc="Control if srvid parameter is added or not to local Via.")
exports.function("via_add_xavp_params", args=1, routes=RouteType.ANY, doc="Control if fields of the xavp with the name specified by xavp_via_params global parameter...")
exports.function("via_use_xavp_fields", args=1, routes=RouteType.ANY, doc="Control if fields of the xavp with the name specified by xavp_via_fields global parameter...")
exports.function("is_faked_msg", args=0, routes=RouteType.ANY, doc="Returns 1 (native config true) if the SIP message under processing is the internal faked...")
exports.function("is_socket_name", args=1, routes=RouteType.ANY, doc="Returns 1 (native config true) if the parameter matches a local socket name, otherwise -1...")

# Pseudo-variables
exports.pv("cfg", inner=True, doc="config file attributes: line, name, file, route")
exports.pv("lsock", inner=True, doc="attributes of a listen socket")

# RPC commands
exports.rpc("corex.debug", "Set or get the global log level (the value for global parameter 'debug').", ())
exports.rpc("corex.list_sockets", "Print the list of sockets the application is listening on.", ())
exports.rpc("corex.list_aliases", "Print the list of hostname aliases used to match the myself condition.", ())
exports.rpc("corex.shm_status", "Trigger shm status dump to syslog.", ())
exports.rpc("corex.shm_summary", "Trigger shm summary dump to syslog.", ())
exports.rpc("corex.pkg_summary", "Trigger pkg summary dump to syslog for a specific pid or process index.", ())
exports.rpc("corex.shm.info", "Return shared memory manager details.", ())
exports.rpc("corex.shm.report", "Return shared memory manager usage report.", ())
exports.rpc("corex.shm.stats", "Return shared memory statistics (values are in bytes).", ())

exports.event_routes = ("network:msg", "corex:reply-out")


@exports.function("append_branch", formats=(0, 1), args=(0, 1, 2), routes=REQ_FAIL, doc="Append a new branch to the destination set, useful to build the set of destination...")
def append_branch(ctx: Context, uri: Value = None, q: Value = None) -> int:
    """Add a branch: a copy of branch 0 without arguments, else the URI (with q)."""
    return sip_actions.append_branch(ctx, uri, q)
