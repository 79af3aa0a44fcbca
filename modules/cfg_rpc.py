"""Kamailio's `cfg_rpc` module as declared exports: RPC commands for the runtime configuration framework (cfg.*)."""

from siprouter.core.exports import ModuleExports

exports = ModuleExports("cfg_rpc", doc="RPC commands for the runtime configuration framework (cfg.*)")

# RPC commands
exports.rpc("cfg.list", "cfg.list - List the configuration variables.", ())
exports.rpc("cfg.get", "cfg.get - Get the value of a configuration variable.", ())
exports.rpc("cfg.seti", "cfg.seti - Set the value of a configuration variable and commit the change immediately.", ())
exports.rpc("cfg.set_now_int", "cfg.set_now_int - This is an alias to the command cfg.seti.", ())
exports.rpc("cfg.sets", "cfg.sets - Set the value of a configuration variable and commit the change immediately.", ())
exports.rpc("cfg.reset", "cfg.reset - Reset the variable values of a configuration group.", ())
exports.rpc("cfg.set_now_string", "cfg.set_now_string - This is an alias to the command cfg.sets.", ())
exports.rpc("cfg.set", "cfg.set - Set the value of a configuration variable and commit the change immediately.", ())
exports.rpc("cfg.del", "cfg.del - Delete the value of a configuration variable from a group instance and commit...", ())
exports.rpc("cfg.set_delayed_int", "cfg.set_delayed_int - Prepare the change of a configuration variable, but does not commit...", ())
exports.rpc("cfg.set_delayed_string", "cfg.set_delayed_string - Prepare the change of a configuration variable, but does not...", ())
exports.rpc("cfg.set_delayed", "cfg.set_delayed - Prepare the change of a configuration variable, but does not commit the...", ())
exports.rpc("cfg.del_delayed", "cfg.del_delayed - Prepare the deletion of the value of a configuration variable from a...", ())
exports.rpc("cfg.commit", "cfg.commit - Commit the previously prepared configuration changes.", ())
exports.rpc("cfg.rollback", "cfg.rollback - Drop the prepared configuration changes.", ())
exports.rpc("cfg.help", "cfg.help - Print the description of a configuration variable.", ())
exports.rpc("cfg.diff", "cfg.diff - List the pending configuration changes that have not been committed yet.", ())
exports.rpc("cfg.add_group_inst", "cfg.add_group_inst - Add a new instance to an existing configuration group.", ())
exports.rpc("cfg.del_group_inst", "cfg.del_group_inst - Delete an instance of an existing configuration group.", ())
