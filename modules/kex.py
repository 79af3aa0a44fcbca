"""Kamailio's `kex` module as declared exports: Core extensions: branch/script flags, dst URI, stats RPCs."""

from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType

exports = ModuleExports("kex", doc="Core extensions: branch/script flags, dst URI, stats RPCs")

# Functions
exports.function("setsflag", args=1, routes=RouteType.ANY, doc="Set the script flag.")
exports.function("resetsflag", args=1, routes=RouteType.ANY, doc="Reset the script flag.")
exports.function("issflagset", args=1, routes=RouteType.ANY, doc="Return true of the script flag is set.")
exports.function("setbflag", args=(1, 2), routes=RouteType.ANY, doc="Set the branch flag.")
exports.function("resetbflag", args=(1, 2), routes=RouteType.ANY, doc="Reset the branch flag.")
exports.function("isbflagset", args=(1, 2), routes=RouteType.ANY, doc="Return true of the branch flag is set.")
exports.function("setdsturi", args=1, routes=RouteType.ANY, doc="Set the destination address URI (outbound proxy address).")
exports.function("resetdsturi", args=0, routes=RouteType.ANY, doc="Reset the destination address URI (outbound proxy address).")
exports.function("isdsturiset", args=0, routes=RouteType.ANY, doc="Check if the destination address URI (outbound proxy address) is set.")
exports.function("pv_printf", args=2, routes=RouteType.ANY, doc="Evaluates the str and sets the resulting value to variable var.")
exports.function("avp_printf", args=2, routes=RouteType.ANY, doc="Alias of pv_printf() (moved from avpops).")
# Kamailio 3.1 name; 4.0 replaced it by corex append_branch().
exports.function("km_append_branch", args=(0, 1), routes=REQ_FAIL, doc="Append a branch with the R-URI or the given URI.")
exports.function("is_myself", args=1, routes=RouteType.ANY, doc="Check if the parameter matches the 'myself' condition (i.e., is a local IP or domain).")
exports.function("setdebug", args=1, routes=RouteType.ANY, doc="Set the debug log level per process.")
exports.function("resetdebug", args=0, routes=RouteType.ANY, doc="Reset the local debug log level back to the value of core parameter 'debug'.")

# Pseudo-variables
exports.pv("sruid", inner=False, doc="server unique id, new for each use")

# RPC commands
exports.rpc("pkg.stats", "Print private memory (pkg) usage statistics per process.", ())
exports.rpc("pkg.info", "Get pkg manager details.", ())
exports.rpc("stats.get_statistics", "Print the list of available internal statistics.", ())
exports.rpc("stats.fetch", "Print the list of available internal statistics with a more json friendly output.", ())
exports.rpc("stats.fetchn", "Print the list of available internal statistics with a more json friendly output.", ())
exports.rpc("stats.reset_statistics", "Reset internal statistics.", ())
exports.rpc("stats.clear_statistics", "Return statistics and reset their value in one command.", ())
exports.rpc("mod.mem_stats", "Print private(pkg) or shared(shm) memory currently allocated a given module or by all...", ())
exports.rpc("mod.stats", "Same as RPC command \"mod.mem_stats\", this is an alias command to preserve backward...", ())
exports.rpc("mod.mem_statsx", "Similar to RPC command \"mod.mem_stats\", but the output has an extended format, printing...", ())
