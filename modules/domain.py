"""Kamailio's `domain` module as declared exports: Local domain checks against a domain table."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("domain", doc="Local domain checks against a domain table")

# Parameters
exports.param("db_url", str, "mysql://kamailioro:kamailioro@localhost/kamailio", doc="This is URL of the database to be used.")
exports.param("domain_table", str, "domain", doc="Name of table containing names of local domains that the proxy is responsible for.")
exports.param("domain_attrs_table", str, "domain_attrs", doc="Name of table containing attributes of local domains.")
exports.param("did_col", str, "did", doc="Name of column containing domain id (did) of domain in domain and domain_attrs tables.")
exports.param("domain_col", str, "domain", doc="Name of column containing domain name in domain table.")
exports.param("name_col", str, "name", doc="Name of column containing attribute name in domain_attrs table.")
exports.param("type_col", str, "type", doc="Name of column containing attribute type in domain_attrs table.")
exports.param("value_col", str, "value", doc="Name of column containing attribute value in domain_attrs table.")
exports.param("register_myself", int, 0, doc="Register the list of domains to match 'myself' check: 0 means no myself registration, 1...")

# Functions
exports.function("is_from_local", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Checks based on domain table if host part of From header uri is one of the local domains...")
exports.function("is_uri_host_local", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="If called from route or failure route block, checks based on domain table if host part of...")
exports.function("is_domain_local", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="This function checks if the domain contained in the parameter is local.")
exports.function("lookup_domain", args=(1, 2), routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="This function checks if domain given in domain argument is local and, if so, adds...")

# RPC commands
exports.rpc("domain.reload", "Causes domain module to re-read the contents of domain table into cache memory.", ())
exports.rpc("domain.dump", "Causes domain module to dump domain names in its cache memory.", ())
