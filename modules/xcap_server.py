"""Kamailio's `xcap_server` module as declared exports: XCAP server on top of xhttp."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("xcap_server", doc="XCAP server on top of xhttp")

# Parameters
exports.param("db_url", str, "mysql://kamailio:kamailiorw@localhost/kamailio", doc="Database URL.")
exports.param("xcap_table", str, "xcap", doc="The name of table where to store the xcap documents.")
exports.param("xcap_root", str, "/xcap-root/", doc="XCAP root URL.")
exports.param("buf_size", int, 1024, doc="Size of local buffer for handling XCAP documents.")
exports.param("xml_ns", str, None, multi=True, doc="Register extra XML namespaces to be used with XPath.")
exports.param("directory_scheme", int, None, doc="Allows the scheme used in org.openmobilealliance.xcap-directory listings to be set to a...")
exports.param("directory_hostname", str, None, doc="Allows the hostname (and port) used in org.openmobilealliance.xcap-directory listings to...")

# Functions
exports.function("xcaps_put", args=3, routes=RouteType.REQUEST, doc="Handle XCAP PUT command.")
exports.function("xcaps_get", args=2, routes=RouteType.REQUEST, doc="Handle XCAP GET command.")
exports.function("xcaps_del", args=2, routes=RouteType.REQUEST, doc="Handle XCAP DELETE command.")

# Pseudo-variables
exports.pv("xcapuri", writable=True, inner=True, doc="parsed XCAP URI attributes ($xcapuri(name=>attr))")
