"""The debugger module's declarations (Kamailio's names and help texts); implementations attach to
them from the other files of the package."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("debugger", doc="Interactive config debugger: cfgtrace, breakpoints, per-module log levels")

# Parameters
exports.param("cfgtrace", int, 0, doc="Control whether the config script trace is enabled or disabled at startup.")
exports.param("cfgtrace_format", int, 0, doc="Control what is printer in the cfgtrace log message.")
exports.param("breakpoint", int, 0, doc="Control whether every line (global) breakpoint is enabled or disabled at startup.")
exports.param("log_level", int, -1, doc="What log level is to be used to print module-specific messages.")
exports.param("log_facility", str, None, doc="Which log facility is to be used to print module-specific messages.")
exports.param("log_prefix", str, "*** cfgtrace:", doc="String to print before any module-specific messages.")
exports.param("log_level_name", str, None, doc="What log level name is to be used to print cfg trace messages.")
exports.param("log_assign", int, 0, doc="Enable or disable log assign actions on config (0 - disabled, 1 - enabled).")
exports.param("step_usleep", int, 100000, doc="Microseconds to sleep before checking for new commands when waiting at a breakpoint.")
exports.param("step_loops", int, 200, doc="How many sleeps of 'step_usleep' the RPC process performs when waiting for a reply from a...")
exports.param("mod_hash_size", int, 0, doc="Used to compute power of two as size of internal hash table to store levels per module...")
exports.param("mod_level_mode", int, 0, doc="Enable or disable per module log level (0 - disabled, 1 - enabled).")
exports.param("mod_level", str, None, multi=True, doc="Specify module log level - the value must be in the format: modulename=level.")
exports.param("mod_facility_mode", int, 0, doc="Enable or disable per module log facility (0 - disabled, 1 - enabled).")
exports.param("mod_facility", str, None, multi=True, doc="Specify module log facility - the value must be in the format: modulename=facility.")
exports.param("reset_msgid", int, 0, doc="Used to enable or disable the ability to reset the msgid ($mi) through the...")
exports.param("cfgpkgcheck", int, 0, doc="If set, before each config action is done pkg memory check, useful to detect buffer...")
exports.param("cfgtest", int, 0, doc="Control whether the cfgt module is enabled or disabled at startup.")

# Functions
exports.function("dbg_breakpoint", args=1, routes=RouteType.ANY, doc="Anchor a breakpoint at the current line of the config (the one on which this function is...")
exports.function("dbg_pv_dump", args=(0, 1, 2), routes=RouteType.ANY, doc="Prints the content of pv_cache on json format.")
exports.function("dbg_sip_msg", args=(0, 1, 2), routes=RouteType.ONREPLY | RouteType.REQUEST, doc="Prints how the sip message would look like if it would be sent out at that point in the...")

# RPC commands
exports.rpc("dbg.ls", "List Kamailio processes with info related to interactive debugging.", ("_pid_",))
exports.rpc("dbg.trace", "Control config script running trace.", ("_cmd_", "_pid_"))
exports.rpc("dbg.bp", "Control breakpoints and config execution.", ("_cmd_", "_pid_", "_params_"))
exports.rpc("dbg.mod_level", "Specify module log level.", ("_module_", "_level_"))
exports.rpc("dbg.reset_msgid", "Resets the message sequence ($mi).", ())
exports.rpc("dbg.set_mod_level", "Set the module log level.", ())
exports.rpc("dbg.set_mod_facility", "Set the module log facility.", ())
exports.rpc("dbg.get_mod_level", "Get the module log level.", ())
exports.rpc("dbg.get_mod_facility", "Get the module log facility.", ())
