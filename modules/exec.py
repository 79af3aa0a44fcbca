"""Kamailio's `exec` module as declared exports: Run external commands from the script."""

from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType

exports = ModuleExports("exec", doc="Run external commands from the script")

# Parameters
exports.param("time_to_kill", int, 0, doc="Specifies the longest time a program is allowed to execute.")
exports.param("setvars", int, 1, doc="Turn off to disable setting environment variables for executed commands.")
exports.param("bash_safety", int, None, doc="Guard against the bash Shellshock environment exploit (1 on).")

# Functions
exports.function("exec_dset", args=1, routes=REQ_FAIL, doc="Executes an external command.")
exports.function("exec_msg", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.LOCAL, doc="Executes an external command.")
exports.function("exec_avp", args=(1, 2), routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.LOCAL, doc="Executes an external command.")
exports.function("exec_cmd", args=1, routes=RouteType.ANY, doc="Executes an external command.")
