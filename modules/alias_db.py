"""Kamailio's `alias_db` module as declared exports: User aliases looked up in a database table."""

from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType

exports = ModuleExports("alias_db", doc="User aliases looked up in a database table")

# Parameters
exports.param("db_url", str, "mysql://kamailioro:kamailioro@localhost/kamailio", doc="Database URL.")
exports.param("user_column", str, "username", doc="Name of the column storing username.")
exports.param("domain_column", str, "domain", doc="Name of the column storing user's domain.")
exports.param("alias_user_column", str, "alias_username", doc="Name of the column storing alias username.")
exports.param("alias_domain_column", str, "alias_domain", doc="Name of the column storing alias domain.")
exports.param("use_domain", int, 0, doc="Specifies whether to use or not the domain from R-URI when searching for alias.")
exports.param("domain_prefix", str, None, doc="Specifies the prefix to be stripped from the domain in R-URI before doing the search.")
exports.param("append_branches", int, 0, doc="If the alias resolves to many SIP IDs, the first is replacing the R-URI, the rest are...")

# Functions
exports.function("alias_db_lookup", args=(1, 2), routes=REQ_FAIL, doc="The function takes the R-URI and search to see whether it is an alias or not.")
exports.function("alias_db_find", args=(3, 4), routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="The function is very similar to alias_db_lookup(), but instead of using fixed input...")
