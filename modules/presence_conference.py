"""Kamailio's `presence_conference` module as declared exports: Presence handler for conference-info events."""

from siprouter.core.exports import ModuleExports

exports = ModuleExports("presence_conference", doc="Presence handler for conference-info events")

# Parameters
exports.param("use_partial_states", int, 0, doc="Control usage of partial state notifications.")
exports.param("default_expires", int, 3600, doc="The default expires value used when missing from SUBSCRIBE message (in seconds).")

# RPC commands
exports.rpc("conference_reset", "Reset internal data.", ())
