"""Kamailio's `xhttp` module as declared exports: Minimal HTTP server on the SIP ports."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("xhttp", doc="Minimal HTTP server on the SIP ports")

# Parameters
exports.param("url_match", str, None, doc="Regular expression to match the HTTP URL.")
exports.param("url_skip", str, None, doc="Regular expression to match the HTTP URL.")
exports.param("event_callback", str, None, doc="The name of the function in the kemi configuration file (embedded scripting language such...")

# Functions
exports.function("xhttp_reply", args=4, routes=RouteType.REQUEST, doc="Send back a reply with content-type and body.")

# Pseudo-variables
exports.pv("hu", inner=False, doc="URL of the HTTP request")

exports.event_routes = ("xhttp:request",)
