"""Kamailio's `sl` module as declared exports: Stateless replies."""

from siprouter.core.exports import REQ_FAIL_ONREPLY, ModuleExports, RouteType

exports = ModuleExports("sl", doc="Stateless replies")

# Parameters
exports.param("default_code", int, 500, doc="Default reply status code.")
exports.param("default_reason", str, "Internal Server Error", doc="Default reply reason phrase.")
exports.param("bind_tm", int, 1, doc="Controls if SL module should attempt to bind to TM module in order to send stateful reply...")
exports.param("rich_redirect", int, None, doc="When sending a 3xx class reply, include additional branch info to the contacts such as...")
exports.param("event_callback_fl_ack", str, None, doc="The name of the KEMI callback function to be executed instead of...")
exports.param("event_callback_lres_sent", str, None, doc="The name of the KEMI callback function to be executed instead of...")

# Functions
exports.function("sl_send_reply", args=2, routes=RouteType.REQUEST, doc="For the current request, a reply is sent back having the given code and text reason.")
exports.function("sl_reply", args=2, routes=RouteType.REQUEST, doc="Alias of sl_send_reply().")
exports.function("send_reply", args=2, routes=REQ_FAIL_ONREPLY, doc="For the current request, a reply is sent back having the given code and text reason.")
exports.function("send_reply_mode", args=3, routes=REQ_FAIL_ONREPLY, doc="Similar to send_reply() function, with additional third parameter mode, which can specify...")
exports.function("sl_reply_error", args=0, routes=RouteType.REQUEST, doc="Sends back an error reply describing the nature of the last internal error.")
exports.function("sl_forward_reply", args=(0, 1, 2), routes=RouteType.ONREPLY, doc="Forward statelessly the current received SIP reply, with the option to change the status...")

# Pseudo-variables
exports.pv("ltt", inner=True, doc="local To-tag of a stateless (x) or stateful (t) reply")

# RPC commands
exports.rpc("sl.stats", "Print reply statistics.", ())

exports.event_routes = ("sl:filtered-ack", "sl:local-response")

exports.counters.update({
    "sl.1xx_replies": "Number of 1xx replies.",
    "sl.200_replies": "Number of 200 replies.",
    "sl.202_replies": "Number of 202 replies.",
    "sl.2xx_replies": "Number of 2xx replies.",
    "sl.300_replies": "Number of 300 replies.",
    "sl.301_replies": "Number of 301 replies.",
    "sl.302_replies": "Number of 302 replies.",
    "sl.3xx_replies": "Number of 3xx replies.",
    "sl.400_replies": "Number of 400 replies.",
    "sl.401_replies": "Number of 401 replies.",
    "sl.403_replies": "Number of 403 replies.",
    "sl.404_replies": "Number of 404 replies.",
    "sl.407_replies": "Number of 407 replies.",
    "sl.408_replies": "Number of 408 replies.",
    "sl.483_replies": "Number of 483 replies.",
    "sl.4xx_replies": "Number of 4xx replies.",
    "sl.500_replies": "Number of 500 replies.",
    "sl.5xx_replies": "Number of 5xx replies.",
    "sl.6xx_replies": "Number of 6xx replies.",
    "sl.xxx_replies": "Number of replies whose code don't match any above.",
    "sl.sent_replies": "Number of all sent replies.",
    "sl.sent_err_replies": "Number of sent error replies.",
    "sl.failures": "Number of failures.",
    "sl.received_ACKs": "Number of received ACKs filtered by SL module.",
})
