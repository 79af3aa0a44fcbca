"""Kamailio's `xlog` module as declared exports: Formatted logging with pseudo-variables."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("xlog", doc="Formatted logging with pseudo-variables")

# Parameters
exports.param("buf_size", int, 4096, doc="Maximum size of the log message.")
exports.param("force_color", int, 0, doc="When set to 1, forces color codes in log messages even if log_stderror is set to 0.")
exports.param("long_format", int, 0, doc="When set to 1, outputs the configuration file name in xlogl() and xdbgl() before the line...")
exports.param("prefix", str, "<script>:", doc="Prefix to be output before the log message.")
exports.param("log_facility", str, None, doc="Syslog facility to be used for the xlog output.")
exports.param("log_colors", str, None, multi=True, doc="Update terminal colors used by the Kamailio core for log levels (when log_stderr=1 and...")
exports.param("methods_filter", int, -1, runtime=True, doc="The bitmask with internal SIP method ids to be ignored by xlogm() function.")
exports.param("prefix_mode", int, 0, doc="control behaviour of prefix value.")

# Functions
exports.function("xlog", args=(1, 2, 3), routes=RouteType.ANY, doc="Output a formatted log message.")
exports.function("xdbg", args=1, routes=RouteType.ANY, doc="Print a formatted message using DBG function.")
exports.function("xinfo", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_INFO level.")
exports.function("xnotice", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_NOTICE level.")
exports.function("xwarn", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_WARN level.")
exports.function("xerr", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_ERR level.")
exports.function("xbug", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_BUG level.")
exports.function("xcrit", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_CRIT level.")
exports.function("xalert", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_ALERT level.")
exports.function("xlogl", args=(1, 2, 3), routes=RouteType.ANY, doc="Similar to xlog(), in addition prints configuration file line number at the beginning of...")
exports.function("xdbgl", args=1, routes=RouteType.ANY, doc="Similar to xdbg(), in addition prints configuration file line number at the beginning of...")
exports.function("xlogm", args=2, routes=RouteType.ANY, doc="Similar to xlog(level, format), but skips writing the log messages for SIP requests and...")

# Pseudo-variables
exports.pv("C", inner=True, doc="terminal color escape ($C(xy): foreground, background)")
