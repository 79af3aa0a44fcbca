"""Kamailio's `rr` module as declared exports: Record-Route and loose routing."""

from siprouter.core.exports import REQ_FAIL, REQ_FAIL_BRANCH, ModuleExports, RouteType

exports = ModuleExports("rr", doc="Record-Route and loose routing")

# Parameters
exports.param("append_fromtag", int, 1, doc="If turned on, request's from-tag is appended to record-route; that's useful for...")
exports.param("enable_double_rr", int, 1, doc="There are some situations when the server needs to insert two Record-Route header fields...")
exports.param("enable_full_lr", int, 0, doc="If set to 1 then “;lr=on” instead of just “;lr” will be used.")
exports.param("add_username", int, 0, doc="If set to a non 0 value (which means yes), the username part will be also added in the...")
exports.param("enable_socket_mismatch_warning", int, 1, doc="When a preset record-route header is forced in Kamailio config and the host from the...")
exports.param("custom_user_avp", str, None, doc="When enable_username is enabled, a call to record_route will add the username of the...")
exports.param("force_send_socket", int, 0, doc="If set to 1, local socket is forced even for single Record-Route, otherwise is done on...")
exports.param("ignore_sips", int, 0, doc="If set to 1, the Record-Route header are build with 'sip' schema always, ignoring the...")
exports.param("sockname_mode", int, 0, doc="If set to 1, the Record-Route URI is built to contain socket name in 'sn' parameter and...")

# Functions
exports.function("loose_route", args=0, routes=RouteType.REQUEST, doc="The function performs routing of SIP requests which contain a route set.")
exports.function("loose_route_preloaded", args=0, routes=RouteType.REQUEST, doc="The function is similar to `loose_route()`, but it returns 1 (true) when the Route header...")
exports.function("loose_route_mode", args=1, routes=RouteType.REQUEST, doc="The function is similar to `loose_route()`, but it does only loose routing processing if...")
exports.function("record_route", args=(0, 1), routes=REQ_FAIL_BRANCH, doc="The function adds a new Record-Route header field.")
exports.function("record_route_preset", args=(1, 2), routes=REQ_FAIL_BRANCH, doc="This function will put the string params into Record-Route, avoid to use it unless you...")
exports.function("record_route_advertised_address", args=1, routes=REQ_FAIL_BRANCH, doc="The function adds a new Record-Route header field using the address given.")
exports.function("add_rr_param", args=1, routes=REQ_FAIL_BRANCH, doc="Adds a parameter to the Record-Route URI (param must be in “;name=value” format.")
exports.function("check_route_param", args=1, routes=RouteType.REQUEST, doc="The function checks if the URI parameters of the local Route header (corresponding to the...")
exports.function("is_direction", args=1, routes=RouteType.REQUEST, doc="The function checks the flow direction of in-dialog requests.")
exports.function("remove_record_route", args=0, routes=REQ_FAIL, doc="The function removes the internal lumps added by record_route() functions.")
exports.function("rr_next_hop_route", args=0, routes=RouteType.ANY, doc="The function returns 1 (true) if there is a Route header for the next hop address.")

# Pseudo-variables
exports.pv("route_uri", inner=False, doc="URI of the first Route header")
exports.pv("fti", inner=False, doc="From-tag of the initial request of the dialog")
exports.pv("tti", inner=False, doc="To-tag of the initial request of the dialog")
exports.pv("rdir", inner=True, doc="direction of an in-dialog request: id or name")
