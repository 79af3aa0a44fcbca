"""Kamailio's `maxfwd` module as declared exports: Max-Forwards header processing."""

from siprouter.core.exports import REQ_FAIL_BRANCH, ModuleExports, RouteType

exports = ModuleExports("maxfwd", doc="Max-Forwards header processing")

# Parameters
exports.param("max_limit", int, 70, runtime=True, doc="Set an upper limit for the max-forward value in the outgoing requests.")

# Functions
exports.function("maxfwd_process", args=1, routes=RouteType.REQUEST, doc="If no Max-Forward header is present in the received request, a header will be added...")
exports.function("mf_process_maxfwd_header", args=1, routes=RouteType.REQUEST, doc="Same as maxfwd_process(max_value).")
exports.function("process_maxfwd", args=1, routes=RouteType.REQUEST, doc="Same as maxfwd_process(max_value).")
exports.function("is_maxfwd_lt", args=1, routes=REQ_FAIL_BRANCH, doc="Checks if the Max-Forward header value is less then the “max_value” parameter value.")
exports.function("maxfwd_at_least", args=1, routes=REQ_FAIL_BRANCH, doc="Same as is_maxfwd_lt(max_value).")
exports.function("mf_lowlimit", args=1, routes=REQ_FAIL_BRANCH, doc="Same as is_maxfwd_lt(max_value).")
