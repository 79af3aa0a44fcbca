"""Kamailio's `cfgutils` module as declared exports: Config helpers: random events, sleeps, global flags, locks."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("cfgutils", doc="Config helpers: random events, sleeps, global flags, locks")

# Parameters
exports.param("initial_probability", int, 10, doc="The initial value of the probability.")
exports.param("initial_gflags", int, 0, doc="The initial value of global flags bitmap.")
exports.param("hash_file", str, None, doc="The config file name for that a hash value should be calculated on startup.")
exports.param("lock_set_size", int, 0, doc="Size of lock set - the value is used as power of two to compute the size of lock array.")

# Functions
exports.function("rand_set_prob", args=1, routes=RouteType.ANY, doc="Set the “probability” of the decision.")
exports.function("rand_reset_prob", args=0, routes=RouteType.ANY, doc="Reset the probability back to the initial value.")
exports.function("rand_get_prob", args=0, routes=RouteType.ANY, doc="Return the current probability setting, e.g.")
exports.function("rand_event", args=0, routes=RouteType.ANY, doc="Return true or false, depending on a random value and a probability value.")
exports.function("sleep", args=1, routes=RouteType.ANY, doc="Waits \"time\" seconds.")
exports.function("usleep", args=1, routes=RouteType.ANY, doc="Waits \"time\" micro-seconds.")
exports.function("abort", args=0, routes=RouteType.ANY, doc="Debugging function that aborts the server.")
exports.function("pkg_status", args=0, routes=RouteType.ANY, doc="Debugging function that dumps the status for the private (PKG) memory.")
exports.function("shm_status", args=0, routes=RouteType.ANY, doc="Debugging function that dumps the status for the shared (SHM) memory.")
exports.function("pkg_summary", args=0, routes=RouteType.ANY, doc="Debugging function that dumps the summary for the private (PKG) memory usage.")
exports.function("shm_summary", args=0, routes=RouteType.ANY, doc="Debugging function that dumps the summary for the shared (SHM) memory usage.")
exports.function("set_gflag", args=1, routes=RouteType.ANY, doc="Set the bit at the position “flag” in global flags.")
exports.function("reset_gflag", args=1, routes=RouteType.ANY, doc="Reset the bit at the position “flag” in global flags.")
exports.function("is_gflag", args=1, routes=RouteType.ANY, doc="Check if bit at the position “flag” in global flags is set.")
exports.function("lock", args=1, routes=RouteType.ANY, doc="Lock the key.")
exports.function("unlock", args=1, routes=RouteType.ANY, doc="Unlock the key.")
exports.function("trylock", args=1, routes=RouteType.ANY, doc="Try to lock the key.")
exports.function("core_hash", args=3, routes=RouteType.ANY, doc="Exported function that enables the core_hash() function to be used from the configuration...")
exports.function("check_route_exists", args=1, routes=RouteType.ANY, doc="Check if a route block exists.")
exports.function("route_if_exists", args=1, routes=RouteType.ANY, doc="Execute a routing block only if it is defined.")

# Pseudo-variables
exports.pv("RANDOM", inner=False, doc="random number")

# RPC commands
exports.rpc("cfgutils.rand_set_prop", "Set the probability value to the given parameter.", ())
exports.rpc("cfgutils.rand_reset_prob", "Reset the probability value to the initial start value.", ())
exports.rpc("cfgutils.rand_get_prob", "Return the actual probability setting.", ())
exports.rpc("cfgutils.check_config_hash", "Check if the actual config file hash is identical to the stored one.", ())
exports.rpc("cfgutils.get_config_hash", "Return the stored config file hash.", ())
exports.rpc("cfgutils.set_gflag", "Set the value of some flags (specified by bitmask) to 1.", ())
exports.rpc("cfgutils.reset_gflag", "Reset the value of some flags to 0.", ())
exports.rpc("cfgutils.is_gflag", "Returns true if the all the flags from the bitmask are set.", ())
exports.rpc("cfgutils.get_gflags", "Return the bitmap with all flags.", ())
