"""Kamailio's `uac_redirect` module as declared exports: Turn 3xx redirect replies into new branches."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("uac_redirect", doc="Turn 3xx redirect replies into new branches")

# Parameters
exports.param("deny_filter", str, None, doc="The regular expression for default deny filtering.")
exports.param("accept_filter", str, None, doc="The regular expression for default accept filtering.")
exports.param("default_filter", str, "accept", doc="The default behavior in filtering contacts.")
exports.param("acc_function", str, "acc_log_request", doc="Specifies the accounting function to be used.")
exports.param("acc_db_table", str, "acc", doc="Specifies the accounting table to be used if DB accounting was chosen (acc_function was...")
exports.param("bflags", int, None, doc="This parameter defines the branch-flags to be set for new, added branch.")
exports.param("flags_hdr_mode", int, 0, doc="Specifies if and how a Contact's flags header parameter must be used.")
exports.param("q_value", int, 10, doc="Specifies the q-value to asign to contacts without one.")

# Functions
exports.function("set_deny_filter", args=2, routes=RouteType.FAILURE, doc="Sets additional deny filters.")
exports.function("set_accept_filter", args=2, routes=RouteType.FAILURE, doc="Sets additional accept filters.")
exports.function("get_redirects", args=(1, 2), routes=RouteType.FAILURE, doc="The function may be called only from failure routes.")
