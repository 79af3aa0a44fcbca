"""Kamailio's `acc_radius` module as declared exports: Accounting of transactions to a RADIUS server."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("acc_radius", doc="Accounting of transactions to a RADIUS server")

# Parameters
exports.param("radius_config", str, None, doc="This parameter is radius specific.")
exports.param("radius_flag", int, None, doc="Request flag which needs to be set to account a transaction -- RADIUS specific.")
exports.param("radius_missed_flag", int, None, doc="Request flag which needs to be set to account missed calls -- RADIUS specific.")
exports.param("service_type", int, 15, doc="Radius service type used for accounting.")
exports.param("radius_extra", str, None, doc="Extra values to be logged via RADIUS - RADIUS specific.")
exports.param("rad_time_mode", int, 0, doc="Radius Event-Timestamp for accounting.")

# Functions
exports.function("acc_rad_request", args=1, routes=RouteType.ANY, doc="Like acc_log_request of acc module, acc_rad_request reports on a SIP request event.")
