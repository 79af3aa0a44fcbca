"""Kamailio's `xmlrpc` module as declared exports: XML-RPC transport for RPC commands."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("xmlrpc", doc="XML-RPC transport for RPC commands")

# Parameters
exports.param("route", str, None, doc="Name of the route called for XMLRPC messages.")
exports.param("autoconversion", int, 0, doc="Enable or disable automatic parameter type conversion globally, for all the methods...")
exports.param("escape_cr", int, 1, doc="Enable CR ('\\r') escaping in replies.")
exports.param("double_lf_to_crlf", int, 0, doc="When enabled double LFs ('\\n\\n') in the input xmlrpc strings will be replaced with CR LF...")
exports.param("mode", int, 0, doc="When set to 1, the xmlrpc module does not register to core the callback functions for...")
exports.param("url_match", str, None, doc="Regular expression to match the HTTP URL.")
exports.param("url_skip", str, None, doc="Regular expression to match the HTTP URL.")
exports.param("event_callback", str, None, doc="The name of the function in the kemi configuration file (embedded scripting language such...")
exports.param("http_listen", str, None, multi=True, doc="siprouter: host:port of the HTTP management listener (same as jsonrpcs http_listen).")

# Functions
exports.function("dispatch_rpc", args=0, routes=RouteType.REQUEST, doc="This function processes an XMLRPC request, found in the body of the request.")
exports.function("xmlrpc_reply", args=2, routes=RouteType.REQUEST, doc="This function can be called from the config script to directly generate an XML-RPC reply.")
