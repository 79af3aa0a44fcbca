"""Kamailio's `ratelimit` module as declared exports: Rate limiting of SIP requests per pipe/queue."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("ratelimit", doc="Rate limiting of SIP requests per pipe/queue")

# Parameters
exports.param("timer_interval", int, 10, doc="The initial length of a timer interval in seconds.")
exports.param("queue", str, None, multi=True, doc="The format of the queue parameter is \"pipe_no:method\".")
exports.param("pipe", str, None, multi=True, doc="The format of the pipe param is \"pipe_no:algorithm:limit\".")

# Functions
exports.function("rl_check", args=(0, 1), routes=RouteType.ANY, doc="Check the current request against the matched ratelimit algorithm.")
exports.function("rl_check_pipe", args=1, routes=RouteType.ANY, doc="Check the current request against the matched ratelimit algorithm of the pipe provided as...")

# RPC commands
exports.rpc("rl.stats", "Lists the parameters and variables in the ratelimit module.", ())
exports.rpc("rl.set_pipe", "Sets the pipe parameters for the given pipe id.", ("pipe_id", "pipe_algorithm", "pipe_limit"))
exports.rpc("rl.get_pipes", "Gets the list of in use pipes.", ())
exports.rpc("rl.set_queue", "Sets the queue parameters for the given queue id.", ("queue_id", "queue_method", "pipe_id"))
exports.rpc("rl.get_queues", "Gets the list of in use queues.", ())
exports.rpc("rl.set_pid", "Sets the PID Controller parameters for the Feedback Algorithm.", ("ki", "kp", "kd"))
exports.rpc("rl.get_pid", "Gets the list of in use PID Controller parameters.", ())
exports.rpc("rl.push_load", "Force the value of the load parameter.", ("load",))
exports.rpc("rl.set_dbg", "This function will enable/disable a WARNING debug log exposing the internal counters for...", ("dbg",))
