"""Kamailio's `auth_db` module as declared exports: Digest authentication against a subscriber database table."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("auth_db", doc="Digest authentication against a subscriber database table")

# Parameters
exports.param("db_url", str, "mysql://kamailioro:kamailioro@localhost/kamailio", doc="This is URL of the database to be used.")
exports.param("user_column", str, "fine", doc="This is the name of the column holding usernames.")
exports.param("domain_column", str, "fine", doc="This is the name of the column holding domains of users.")
exports.param("password_column", str, "ha1", doc="This is the name of the column holding passwords.")
exports.param("password_column_2", str, "ha1b", doc="As described in the previous section this parameter contains name of column holding...")
exports.param("calculate_ha1", int, 0, doc="This parameter tells the server whether it should use a pre-calculated HA1 string or...")
exports.param("use_domain", int, 0, doc="If true (not 0), domain will be also used when looking up in the subscriber table.")
exports.param("load_credentials", str, None, doc="This parameter specifies of credentials to be fetch from database when the authentication...")
exports.param("version_table", int, 1, doc="If set to 0, the module will skip checking the version for subscriber table.")
exports.param("force_generate_avps", int, 0, doc="If set to different than 0, the module will fetch user DB attributes even if...")

# Functions
exports.function("www_authorize", args=2, routes=RouteType.REQUEST, doc="It is same function as www_authenticate(realm, table).")
exports.function("www_authenticate", args=(2, 3), routes=RouteType.REQUEST, doc="Name alias: www_authorize(realm, table)")
exports.function("proxy_authorize", args=2, routes=RouteType.REQUEST, doc="It is same function as proxy_authenticate(realm, table).")
exports.function("proxy_authenticate", args=2, routes=RouteType.REQUEST, doc="Name alias: proxy_authorize(realm, table)")
exports.function("auth_check", args=3, routes=RouteType.REQUEST, doc="The function combines the functionalities of www_authenticate and proxy_authenticate...")
exports.function("is_subscriber", args=3, routes=RouteType.ANY, doc="The function checks if there is a subscriber corresponding to the AoR in uri parameter.")
