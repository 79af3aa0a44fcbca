"""Kamailio's `blst` module as declared exports: Script access to the destination blocklist."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("blst", doc="Script access to the destination blocklist")

# Functions
exports.function("blst_add", args=(0, 1), routes=RouteType.ANY, doc="Adds the source of the current message to the blocklist for timeout seconds.")
exports.function("blst_add_retry_after", args=2, routes=RouteType.ANY, doc="Adds the source of the current message to the blocklist for the time interval specified...")
exports.function("blst_del", args=0, routes=RouteType.ANY, doc="Removes the source of the current message from the blocklist.")
exports.function("blst_is_blocklisted", args=0, routes=RouteType.ANY, doc="Returns true if the source of the current message is blocklisted.")
# Kamailio 3.1 .. 5.4 name.
exports.function("blst_is_blacklisted", args=0, routes=RouteType.ANY, doc="Old name of blst_is_blocklisted(). Returns true if the source of the current message is blocklisted.")
exports.function("blst_set_ignore", args=(0, 1), routes=RouteType.ANY, doc="Set errors that will not be taken into account when deciding whether to blocklist a...")
exports.function("blst_clear_ignore", args=(0, 1), routes=RouteType.ANY, doc="Clears blocklist ignore flags previously set by the corresponding blst_set_ignore(...) or...")
exports.function("blst_rpl_set_ignore", args=(0, 1), routes=RouteType.ANY, doc="See function blst_set_ignore([flags]).")
exports.function("blst_rpl_clear_ignore", args=(0, 1), routes=RouteType.ANY, doc="See function blst_clear_ignore([flags]).")
