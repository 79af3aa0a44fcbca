"""Kamailio's `speeddial` module as declared exports: Per-user speed dial."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("speeddial", doc="Per-user speed dial")

# Parameters
exports.param("db_url", str, "DEFAULT_RODB_URL", doc="The URL of database where the table containing speed dial records.")
exports.param("user_column", str, "username", doc="The name of column storing the user name of the owner of the speed dial record.")
exports.param("domain_column", str, "domain", doc="The name of column storing the domain of the owner of the speed dial record.")
exports.param("sd_user_column", str, "sd_username", doc="The name of the column storing the user part of the short dial address.")
exports.param("sd_domain_column", str, "sd_domain", doc="The name of the column storing the domain of the short dial address.")
exports.param("new_uri_column", str, "new_uri", doc="The name of the column containing the URI that will be use to replace the short dial URI.")
exports.param("use_domain", int, 0, doc="The parameter specifies whether or not to use the domain when searching a speed dial...")
exports.param("domain_prefix", str, None, doc="If the domain of the owner (From URI) starts with the value of this parameter, then it is...")

# Functions
exports.function("sd_lookup", args=(1, 2), routes=RouteType.REQUEST, doc="The function lookups the short dial number from R-URI in 'table' and replaces the R-URI...")
