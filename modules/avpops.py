"""Kamailio's `avpops` module as declared exports: AVP operations: load/store AVPs from a database, compare and modify them."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("avpops", doc="AVP operations: load/store AVPs from a database, compare and modify them")

# Parameters
exports.param("db_url", str, None, doc="DB URL for database connection.")
exports.param("avp_table", str, None, doc="DB table to be used.")
exports.param("use_domain", int, 0, doc="If the domain part of the URI should be used for identifying an AVP in DB operations.")
exports.param("uuid_column", str, "uuid", doc="Name of column containing the uuid (unique user id).")
exports.param("attribute_column", str, "attribute", doc="Name of column containing the attribute name (AVP name).")
exports.param("value_column", str, "value", doc="Name of column containing the AVP value.")
exports.param("type_column", str, "type", doc="Name of integer column containing the AVP type.")
exports.param("username_column", str, "username", doc="Name of column containing the username.")
exports.param("domain_column", str, "domain", doc="Name of column containing the domain name.")
exports.param("db_scheme", str, None, multi=True, doc="Definition of a DB scheme to be used for non-standard access to Database information.")

# Functions
exports.function("avp_print", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Prints the list with all the AVPs from memory.")
exports.function("avp_db_load", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Loads from DB into memory the AVPs corresponding to the given source.")
exports.function("avp_db_delete", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Deletes from DB the AVPs corresponding to the given source.")
exports.function("avp_db_store", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Stores to DB the AVPs corresponding to the given source.")
exports.function("avp_db_query", args=(1, 2), routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Make a database query and store the result in AVPs.")
exports.function("avp_delete", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Deletes from memory the AVPs with name or, if empty, all AVPs.")
exports.function("avp_copy", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Copy / move an avp under a new name.")
exports.function("avp_pushto", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Pushes the value of AVP(s) into the SIP message.")
exports.function("avp_check", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Checks the value of the AVP(s) against an operator and value.")
exports.function("avp_op", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Different integer operations with avps.")
exports.function("avp_subst", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Perl/sed-like subst applied to AVPs having string value.")
exports.function("avp_subst_pv", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Same functionality than avp_subst() but seccond parameter will be evaluated first.")
exports.function("is_avp_set", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Check if any AVP with name is set.")
