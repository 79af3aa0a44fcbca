"""Kamailio's `counters` module as declared exports: Script counters and the cnt.* RPCs."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("counters", doc="Script counters and the cnt.* RPCs")

# Parameters
exports.param("script_cnt_grp_name", str, "script", doc="Group name that will be used for the counters defined via the script_counter module...")
exports.param("script_counter", str, None, multi=True, doc="Define a new counter that can be used from the script.")

# Functions
exports.function("cnt_inc", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.ONSEND, doc="Increments the counter group.name.")
exports.function("cnt_add", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.ONSEND, doc="Adds number the counter group.name.")
exports.function("cnt_reset", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.ONSEND, doc="Resets the counter group.name.")

# RPC commands
exports.rpc("cnt.get", "Get the value of the counter identified by group.counter_name.", ())
exports.rpc("cnt.reset", "Resets the counter identified by group.counter_name.", ())
exports.rpc("cnt.list_groups", "Lists all the declared counter groups.", ())
exports.rpc("cnt.grps_list", "Alias to cnt.list_groups.", ())
exports.rpc("cnt.list_vars", "Lists all the names of all the counters belonging to the specified group.", ())
exports.rpc("cnt.var_list", "Alias to cnt.list_vars.", ())
exports.rpc("cnt.get_vars", "Lists all the counter names and their values in the specified group.", ())
exports.rpc("cnt.grp_get_all", "Alias to cnt.get_vars.", ())
exports.rpc("cnt.help", "Displays the counter description.", ())
exports.rpc("cnt.get_raw", "get raw counter value (debugging version)", ())
