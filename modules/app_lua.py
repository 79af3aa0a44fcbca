"""Kamailio's `app_lua` module as declared exports: Run Lua scripts from the config (sr/KSR API)."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("app_lua", doc="Run Lua scripts from the config (sr/KSR API)")

# Parameters
exports.param("load", str, None, multi=True, doc="Set the path to the Lua script to be loaded at startup.")
exports.param("reload", int, 1, doc="If reload is 1 enables the ability to reload the scripts using the RPC app_lua.reload...")
exports.param("log_mode", int, 0, doc="Control what is printed in log messages.")

# Functions
exports.function("lua_dostring", args=1, routes=RouteType.ANY, doc="Execute the Lua script stored in parameter.")
exports.function("lua_dofile", args=1, routes=RouteType.ANY, doc="Execute the Lua script stored in 'path'.")
exports.function("lua_runstring", args=1, routes=RouteType.ANY, doc="Execute the Lua script stored in parameter.")
exports.function("lua_run", args=(1, 2, 3, 4), routes=RouteType.ANY, doc="Execute the Lua function 'func' giving 'params' as parameters.")

# RPC commands
exports.rpc("app_lua.list", "Lists the id and path for every script loaded by the load parameter.", ())
exports.rpc("app_lua.reload", "Marks the need to reload the selected script.", ())
exports.rpc("app_lua.api_list", "Lists the exported KEMI functions that can be used inside Lua scripts.", ())
