"""Kamailio's `pipelimit` module as declared exports: Traffic limiting by named pipes with several algorithms."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("pipelimit", doc="Traffic limiting by named pipes with several algorithms")

# Parameters
exports.param("timer_interval", int, 10, runtime=True, doc="The length of the timer interval in seconds.")
exports.param("timer_mode", int, 0, runtime=True, doc="Control what timer process to be used: 0 - use main fast timer; 1 - use secondary wheel...")
exports.param("reply_code", int, 503, runtime=True, doc="The code of the reply sent by Kamailio while limiting.")
exports.param("reply_reason", str, "Server Unavailable", runtime=True, doc="The reason of the reply sent by Kamailio while limiting.")
exports.param("db_url", str, "mysql://kamailio:kamailiorw@localhost/kamailio", runtime=True, doc="URL of the database server to be used.")
exports.param("plp_table_name", str, "pl_pipes", runtime=True, doc="Name of DB table where data definition for pipes is stores.")
exports.param("plp_pipeid_column", str, "pipeid", runtime=True, doc="Name of 'pipeid' column.")
exports.param("plp_limit_column", str, "limit", runtime=True, doc="Name of 'limit' column.")
exports.param("plp_algorithm_column", str, "algorithm", runtime=True, doc="Name of 'algorithm' column.")
exports.param("hash_size", int, 6, runtime=True, doc="Used to compute the number of slots for the internal hash table, as power of 2 (number of...")
exports.param("load_fetch", int, 1, runtime=True, doc="Control if the module should fetch the load for CPU and network traffic.")
exports.param("clean_unused", int, 0, runtime=True, doc="Clean unused pipes after this number of timer intervals.")

# Functions
exports.function("pl_check", args=(1, 3), routes=RouteType.ANY, doc="Check the current request against the 'name' pipe.")
exports.function("pl_active", args=1, routes=RouteType.ANY, doc="Check the pipe 'name' was already created.")
exports.function("pl_drop", args=(0, 1, 2), routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.ONSEND, doc="For the current request, a \"503 - Server Unavailable\" reply is sent back.")

# RPC commands
exports.rpc("pl.list", "Lists the details of one or all pipes, respectively the attributes pipe name (id)...", ())
exports.rpc("pl.stats", "Lists the parameters and variables in the pipelimit module: pipe id, pipe load and pipe...", ())
exports.rpc("pl.set_pipe", "Sets the pipe parameters for the given pipe id.", ("pipe_id", "pipe_algorithm", "pipe_limit"))
exports.rpc("pl.get_pipes", "Gets the list of in use pipes.", ())
exports.rpc("pl.set_pid", "Sets the PID Controller parameters for the Feedback Algorithm.", ("ki", "kp", "kd"))
exports.rpc("pl.get_pid", "Gets the list of in use PID Controller parameters.", ())
exports.rpc("pl.push_load", "Force the value of the load parameter.", ("load",))
