"""Kamailio's `nathelper` module as declared exports: NAT traversal helpers: contact fixing, keepalives."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("nathelper", doc="NAT traversal helpers: contact fixing, keepalives")

# Parameters
exports.param("natping_interval", int, 0, doc="Period of time in seconds between sending the NAT pings to all currently registered UAs...")
exports.param("ping_nated_only", int, 0, doc="If this parameter is set to 1 then only contacts that have the behind NAT “nat_bflag”...")
exports.param("nortpproxy_str", str, "a=nortpproxy:yes\\r\\n", doc="The parameter sets the SDP attribute used by nathelper to mark the packet SDP that...")
exports.param("received_avp", str, None, doc="The name of the Attribute-Value-Pair (AVP) used to store the URI containing the received...")
exports.param("force_socket", str, None, doc="Socket to be used when sending NAT pings for UDP communication.")
exports.param("sipping_from", str, None, doc="The parameter sets the SIP URI to be used in generating the SIP requests for NAT ping...")
exports.param("sipping_method", str, "OPTIONS", doc="The parameter sets the SIP method to be used in generating the SIP requests for NAT ping...")
exports.param("sipping_bflag", int, -1, doc="Which branch flag should be used by the module to identify NATed contacts for which it...")
exports.param("natping_disable_bflag", int, -1, doc="What branch flag should be used by the module to disable NAT pings on a per-registration...")
exports.param("natping_processes", int, 1, doc="How many timer processes should be created by the module for the exclusive task of...")
exports.param("natping_socket", str, None, doc="Spoof the natping's source-ip to this address.")
exports.param("keepalive_timeout", int, 0, doc="The parameter sets the interval in seconds after which a natted contact is removed from...")
exports.param("udpping_from_path", int, 0, doc="Enable sending UDP pings (keepalives) using raw socket from Path address.")
exports.param("append_sdp_oldmediaip", int, 1, doc="The parameter controls if oldmediaip field should be appended to the SDP.")
exports.param("filter_server_id", int, 0, doc="Filter contacts by “server_id” core parameter.")
exports.param("nat_addr_mode", int, 1, doc="If set to 0, only default private net addresses are checked by nat_uac_test().")
exports.param("alias_name", str, "alias", doc="The parameter sets the name of the Contact URI parameter set by set_contact_alias() or...")

# Functions
exports.function("fix_nated_contact", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.BRANCH | RouteType.LOCAL, doc="Rewrites the “Contact” header to contain the request's source address:port.")
exports.function("add_contact_alias", args=(0, 3), routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Adds an “;alias=ip~port~transport” parameter to the contact URI containing either...")
exports.function("set_contact_alias", args=(0, 1), routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.BRANCH | RouteType.LOCAL, doc="Adds an “;alias=ip~port~transport” parameter to the contact URI containing the received...")
exports.function("handle_ruri_alias", args=(0, 1), routes=RouteType.REQUEST | RouteType.BRANCH | RouteType.LOCAL, doc="Checks if the Request URI has an “alias” parameter and if so, removes it and sets the...")
exports.function("fix_nated_sdp", args=(1, 2), routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Alters the SDP information in order to facilitate NAT traversal.")
exports.function("nat_uac_test", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Tries to guess if client's request originated behind a nat.")
exports.function("fix_nated_register", args=0, routes=RouteType.REQUEST, doc="The function creates a URI consisting of the source IP, port, and protocol and stores the...")
exports.function("add_rcv_param", args=(0, 1), routes=RouteType.REQUEST, doc="Add a received parameter to the “Contact” header fields (available for all transports) or...")
exports.function("is_rfc1918", args=1, routes=RouteType.ANY, doc="Determines if the address in the parameter is an rfc1918 or rfc6598 address.")
exports.function("set_alias_to_pv", args=1, routes=RouteType.ANY, doc="Reads “;alias=ip~port~transport” from Contact header then writes to target...")

# Pseudo-variables
exports.pv("rr_count", inner=False, doc="number of Record-Route headers")
exports.pv("rr_top_count", inner=False, doc="number of URIs in the first Record-Route header")

# RPC commands
exports.rpc("nathelper.enable_ping", "Enables natping if parameter value different than 0.", ())
