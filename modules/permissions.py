"""Kamailio's `permissions` module as declared exports: Access control: trusted sources, address groups, allow/deny files."""

from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType

exports = ModuleExports("permissions", doc="Access control: trusted sources, address groups, allow/deny files")

# Parameters
exports.param("default_allow_file", str, "permissions.allow", doc="Default allow file used by the functions with no parameters.")
exports.param("default_deny_file", str, "permissions.deny", doc="Default file containing deny rules.")
exports.param("check_all_branches", int, 1, doc="If set then allow_routing functions will check Request-URI of all branches (default).")
exports.param("allow_suffix", str, ".allow", doc="Suffix to be appended to basename to create filename of the allow file when version with...")
exports.param("deny_suffix", str, ".deny", doc="Suffix to be appended to basename to create filename of the deny file when version with...")
exports.param("db_url", str, None, doc="This is URL of the database to be used to store rules used by allow_trusted or...")
exports.param("db_mode", int, 0, doc="Database mode.")
exports.param("trusted_table", str, "trusted", doc="Name of database table containing the matching rules used by the allow_trusted function.")
exports.param("source_col", str, "src_ip", doc="Name of column in the “trusted” table containing the source IP address that is matched...")
exports.param("proto_col", str, "proto", doc="Name of column in the “trusted” table containing the transport protocol that is matched...")
exports.param("from_col", str, "from_pattern", doc="Name of the column trusted table containing a regular expression that is matched against...")
exports.param("ruri_col", str, "ruri_pattern", doc="Name of the column trusted table containing a regular expression that is matched against...")
exports.param("tag_col", str, "tag", doc="Name of the column in the “address” or “trusted” table containing a string that is added...")
exports.param("priority_col", str, "priority", doc="The column name used to store the priority of the corresponding rule from the database...")
exports.param("peer_tag_avp", str, "undefined", doc="If defined, the AVP will be set as a side effect of allow_trusted call to not NULL tag...")
exports.param("peer_tag_mode", int, 0, doc="Tag mode for allow_trusted.")
exports.param("address_table", str, "address", doc="The name of the database table containing IP subnets and DNS domain names used by...")
exports.param("address_file", str, None, doc="This is the name of full path to the file that store rules used by allow_address function...")
exports.param("grp_col", str, "grp", doc="Name of address table column containing the group identifier of the address.")
exports.param("ip_addr_col", str, "ip_addr", doc="Name of address table column containing the IP address part of the address.")
exports.param("mask_col", str, "mask", doc="Name of address table column containing the network mask of the address.")
exports.param("port_col", str, "port", doc="Name of address table column containing the port part of the address.")
exports.param("max_subnets", int, 512, doc="The maximum number of subnet addresses to be loaded from address table.")
exports.param("load_backends", int, 65535, doc="Control what backends should be loaded: 1 - address table; 2 - trusted table; 4 - allow...")
exports.param("reload_delta", int, 5, doc="The number of seconds that have to be waited before executing a new RPC reload.")
exports.param("trusted_cleanup_interval", int, 60, doc="If module parameter db_mode is set to 1 a cleanup timer is set to the...")

# Functions
exports.function("allow_routing", args=(0, 1, 2), routes=RouteType.ANY, doc="Returns true if all pairs constructed as described in Section 1.1, “Call Routing” have...")
exports.function("allow_register", args=(1, 2), routes=REQ_FAIL, doc="The function returns true if all pairs constructed as described in Section 1.2...")
exports.function("allow_trusted", args=(0, 2, 3), routes=RouteType.ANY, doc="Checks based either on request's source address and transport protocol or source address...")
exports.function("allow_uri", args=2, routes=REQ_FAIL, doc="Returns true if the pair constructed as described in Section 1.3, “URI Permissions” have...")
exports.function("allow_address", args=3, routes=RouteType.ANY, doc="Returns true if the address and port given as values of pvar arguments belonging to a...")
exports.function("allow_source_address", args=(0, 1), routes=RouteType.ANY, doc="Equal to “allow_address(group_id, \"$si\", \"$sp\")”.")
exports.function("allow_source_address_group", args=0, routes=RouteType.ANY, doc="Checks if source address/port is found in cached address or subnet table in any group.")
exports.function("allow_address_group", args=2, routes=RouteType.ANY, doc="Checks if address/port is found in cached address or subnet table in any group.")

# RPC commands
exports.rpc("permissions.addressReload", "Causes the permissions module to re-read the contents of address database table into...", ())
exports.rpc("permissions.addressDump", "Causes the permissions module to dump the contents of cache memory address table.", ())
exports.rpc("permissions.subnetDump", "Causes permissions module to dump contents of cache memory subnet table.", ())
exports.rpc("permissions.domainDump", "Causes permissions module to dump contents of cache memory domain table.", ())
exports.rpc("permissions.testUri", "Tests if the (URI, Contact) pair is allowed according to allow/deny files.", ("basename", "URI", "Contact"))
exports.rpc("permissions.allowUri", "", ())
exports.rpc("permissions.trustedReload", "Causes the permissions module to re-read the contents of the trusted database table into...", ())
exports.rpc("permissions.trustedDump", "Causes the permissions module to dump contents of the trusted database table from cache...", ())
