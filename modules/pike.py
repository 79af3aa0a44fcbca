"""Kamailio's `pike` module as declared exports: Flood detection per source IP."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("pike", doc="Flood detection per source IP")

# Parameters
exports.param("sampling_time_unit", int, 2, doc="Time period in seconds used for sampling (or the sampling accuracy).")
exports.param("reqs_density_per_unit", int, 30, doc="How many requests should be allowed per sampling_time_unit before blocking all the...")
exports.param("remove_latency", int, 120, doc="Specifies for how long the IP address will be kept in memory after the last request from...")
exports.param("pike_log_level", int, 1, doc="Syslog log level to be used by module to auto report the blocking (only first time) and...")

# Functions
exports.function("pike_check_req", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Process the source IP of the current request and return false if the IP was exceeding the...")
exports.function("pike_check_ip", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Process the IP address parameter and return false if it was exceeding the blocking limit.")

# RPC commands
exports.rpc("pike.top", "Lists nodes in the pike tree.", ())
