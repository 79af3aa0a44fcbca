"""Kamailio's `auth` module as declared exports: Digest authentication: challenges, nonces and credential checks."""

from siprouter.core.exports import REQ_FAIL_ONREPLY, ModuleExports, RouteType

exports = ModuleExports("auth", doc="Digest authentication: challenges, nonces and credential checks")

# Parameters
exports.param("secret", str, "randomly", doc="Secret phrase used to calculate the nonce value used to challenge the client for...")
exports.param("nonce_expire", int, 300, doc="Nonces have limited lifetime.")
exports.param("nonce_auth_max_drift", int, 3, doc="Maximum difference in seconds between a nonce creation time and the current time, if the...")
exports.param("protect_contacts", int, None, doc="Include the Contact header in the nonce (old option, not in the README).")
exports.param("challenge_attr", str, None, doc="AVP that receives the built challenge header (old option).")
exports.param("proxy_challenge_header", str, None, doc="Header name used for proxy challenges.")
exports.param("www_challenge_header", str, None, doc="Header name used for www challenges.")
exports.param("qop", str, "not-set", doc="If set, enable qop for challenges: each challenge will include a qop parameter.")
exports.param("auth_checks_register", int, None, doc="See description of parameter auth_checks_in_dlg.")
exports.param("auth_checks_no_dlg", int, None, doc="See description of parameter auth_checks_in_dlg.")
exports.param("auth_checks_in_dlg", int, None, doc="These three module parameters control which optional integrity checks will be performed...")
exports.param("nonce_count", int, 0, doc="If enabled the received nc value is remembered and checked against the older value (for a...")
exports.param("nc_array_size", int, 1048576, doc="Maximum number of in-flight nonces for nonce_count.")
exports.param("nc_array_order", int, 20, doc="Equivalent to nc_array_size, but instead of directly specifying the size, its value is...")
exports.param("one_time_nonce", int, 0, doc="If set to 1 nonce reuse is disabled: each nonce is allowed only once, in the first...")
exports.param("otn_in_flight_no", int, 1048576, doc="Maximum number of in-flight nonces for one_time_nonce.")
exports.param("otn_in_flight_order", int, 20, doc="Equivalent to otn_in_flight_no, but instead of directly specifying the size, its value is...")
exports.param("nid_pool_no", int, 1, doc="Controls the number of partitions for the nonce_count and one_time_nonce arrays (it's...")
exports.param("force_stateless_reply", int, None, doc="If set to 1, www_challenge() and proxy_challenge() functions send reply statelessly no...")
exports.param("realm_prefix", str, "", doc="Prefix to be automatically stripped from the realm.")
exports.param("use_domain", int, None, doc="If set to 1, pv_auth_check() uses domain parts of the URIs to check user identity.")
exports.param("algorithm", str, None, doc="Configure hash algorithm used for digest authentication.")
exports.param("add_authinfo_hdr", int, 0, doc="Should an Authentication-Info header be added on 200 OK responses? The...")

# Functions
exports.function("consume_credentials", args=0, routes=RouteType.REQUEST, doc="This function removes previously authorized credential headers from the message being...")
exports.function("www_challenge", args=2, routes=REQ_FAIL_ONREPLY, doc="The function challenges a user agent.")
exports.function("proxy_challenge", args=2, routes=REQ_FAIL_ONREPLY, doc="The function challenges a user agent.")
exports.function("auth_challenge", args=2, routes=REQ_FAIL_ONREPLY, doc="The function challenges a user agent for authentication.")
exports.function("pv_www_authorize", args=3, routes=RouteType.REQUEST, doc="Alias of pv_www_authenticate(realm, passwd, flags).")
exports.function("pv_www_authenticate", args=(3, 4), routes=RouteType.REQUEST, doc="The function verifies credentials according to RFC2617.")
exports.function("pv_proxy_authorize", args=3, routes=RouteType.REQUEST, doc="Alias of pv_proxy_authenticate(realm, passwd, flags).")
exports.function("pv_proxy_authenticate", args=3, routes=RouteType.REQUEST, doc="The function verifies credentials according to RFC2617.")
exports.function("auth_get_www_authenticate", args=3, routes=RouteType.REQUEST, doc="Build WWW-Authentication header and set the resulting value in 'pvdest' pseudo-variable...")
exports.function("has_credentials", args=1, routes=RouteType.REQUEST, doc="This function returns true of the request has Authorization or Proxy-Authorization header...")
exports.function("pv_auth_check", args=4, routes=RouteType.REQUEST, doc="The function combines the functionalities of pv_www_authenticate and...")
