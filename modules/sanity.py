"""Kamailio's `sanity` module as declared exports: Sanity checks on incoming requests."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("sanity", doc="Sanity checks on incoming requests")

# Parameters
exports.param("default_checks", int, 3047, doc="This parameter determines which of the checks from the sanity module are executed if no...")
exports.param("uri_checks", int, 7, doc="This parameter determines which URIs are going to be checked if the 'parse uri' will be...")
exports.param("proxy_require", str, None, doc="This parameter sets the list of supported SIP extensions for this Kamailio.")
exports.param("autodrop", int, 1, doc="This parameter controls whether the module drops the SIP message automatically if the...")
exports.param("noreply", int, 0, doc="If set to 1, then the module does not send a SIP reply internally in case there is an...")

# Functions
exports.function("sanity_check", args=(0, 1, 2), routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function makes a row of sanity checks over the given SIP request.")
exports.function("sanity_reply", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Send a SIP reply using the code and reason text set internally by the module when...")
