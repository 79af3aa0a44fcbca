"""Kamailio's `siputils` module as declared exports: SIP message and URI helper functions."""

from siprouter.core.exports import (
    REQ_FAIL_BRANCH,
    REQ_FAIL_BRANCH_ONREPLY,
    REQ_FAIL_ONREPLY,
    ModuleExports,
    RouteType,
)

exports = ModuleExports("siputils", doc="SIP message and URI helper functions")

# Parameters
exports.param("options_accept", str, "*/*", doc="This parameter is the content of the Accept header field.")
exports.param("options_accept_encoding", str, "", doc="This parameter is the content of the Accept-Encoding header field.")
exports.param("options_accept_language", str, "en", doc="This parameter is the content of the Accept-Language header field.")
exports.param("options_support", str, "", doc="This parameter is the content of the Support header field, indicating SIP extensions.")
exports.param("contact_flds_separator", str, "*", doc="First char of this parameter is used as separator for encoding/decoding Contact header.")
exports.param("rpid_prefix", str, "", doc="Prefix to be added to Remote-Party-ID header field just before the URI returned from...")
exports.param("rpid_suffix", str, ";party=calling;id-type=subscriber;screen=yes", doc="Suffix to be added to Remote-Party-ID header field after the URI returned from either...")
exports.param("rpid_avp", str, "$avp(s:rpid)", doc="Full AVP specification for the AVP which stores the RPID value.")

# Functions
exports.function("options_reply", args=0, routes=RouteType.REQUEST, doc="This function checks if the request method is OPTIONS and if the request URI does not...")
exports.function("is_user", args=1, routes=RouteType.REQUEST | RouteType.LOCAL, doc="Check if the username in credentials matches the given username.")
exports.function("has_totag", args=0, routes=RouteType.ANY, doc="Check if To header field uri contains tag parameter.")
exports.function("uri_param", args=(1, 2), routes=REQ_FAIL_BRANCH, doc="Find if Request URI has a given parameter with no value")
exports.function("uri_param_any", args=1, routes=REQ_FAIL_BRANCH, doc="Find if Request URI has a given parameter with or without value.")
exports.function("add_uri_param", args=1, routes=RouteType.REQUEST, doc="Add to RURI a parameter (name=value);")
exports.function("get_uri_param", args=2, routes=RouteType.REQUEST | RouteType.LOCAL, doc="Get the value of RURI parameter.")
exports.function("uri_param_rm", args=1, routes=REQ_FAIL_BRANCH, doc="Remove parameter from Request URI.")
exports.function("tel2sip", args=3, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Converts URI in first param (pseudo variable or string) to SIP URI, if it is a tel URI.")
exports.function("is_uri", args=1, routes=RouteType.ANY, doc="Checks if string value of pseudo variable argument is a valid uri.")
exports.function("is_e164", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.LOCAL, doc="Checks if string value of pseudo variable argument is an E164 number.")
exports.function("is_uri_user_e164", args=1, routes=RouteType.ANY, doc="Checks if userpart of URI stored in pseudo variable is E164 number.")
exports.function("encode_contact", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function will encode uri-s inside Contact header in the following manner...")
exports.function("decode_contact", args=0, routes=RouteType.REQUEST, doc="This function will decode the request URI.")
exports.function("decode_contact_header", args=0, routes=REQ_FAIL_ONREPLY, doc="This function will decode URIs inside Contact header.")
exports.function("cmp_uri", args=2, routes=RouteType.ANY, doc="The function returns true if the two parameters matches as SIP URI.")
exports.function("cmp_aor", args=2, routes=RouteType.ANY, doc="The function returns true if the two parameters matches as AoR.")
exports.function("cmp_hdr_name", args=2, routes=RouteType.ANY, doc="The function returns true (return code 1) if the two parameters matches as header names.")
exports.function("is_rpid_user_e164", args=0, routes=RouteType.REQUEST, doc="The function checks if the SIP URI received from the database or radius server and will...")
exports.function("append_rpid_hf", args=(0, 2), routes=REQ_FAIL_BRANCH, doc="Appends to the message a Remote-Party-ID header that contains header 'Remote-Party-ID: '...")
exports.function("set_uri_user", args=2, routes=RouteType.ANY, doc="Sets userpart of SIP URI stored in writable pseudo variable 'uri' to value of pseudo...")
exports.function("set_uri_host", args=2, routes=RouteType.ANY, doc="Sets hostpart of SIP URI stored in writable pseudo variable 'uri' to value of pseudo...")
exports.function("is_request", args=0, routes=RouteType.ANY, doc="Return true if the SIP message is a request.")
exports.function("is_reply", args=0, routes=RouteType.ANY, doc="Return true if the SIP message is a reply.")
exports.function("is_gruu", args=(0, 1), routes=RouteType.ANY, doc="The function returns true if the uri is GRUU ('gr' parameter is present): 1 - pub-gruu; 2...")
exports.function("is_supported", args=1, routes=RouteType.ANY, doc="Function returns true if given option is listed in Supported header(s) (if any) of the...")
exports.function("is_first_hop", args=(0, 1), routes=RouteType.ANY, doc="The function returns true if the proxy is first hop after the original sender based on a...")
exports.function("is_tel_number", args=1, routes=RouteType.ANY, doc="Checks if the parameter value is a telephone number: starting with one optional +...")
exports.function("is_numeric", args=1, routes=RouteType.ANY, doc="Checks if the parameter value consists solely of decimal digits.")
exports.function("is_alphanum", args=1, routes=RouteType.ANY, doc="Checks if the parameter value consists solely of decimal digits or alphabetic ASCII...")
exports.function("is_alphanumex", args=2, routes=RouteType.ANY, doc="Checks if the value of parameter 'tval' consists solely of decimal digits, alphabetic...")
exports.function("sip_p_charging_vector", args=1, routes=RouteType.ANY, doc="Manage the P-Charging-Vector header (RFC7315).")
exports.function("contact_param_encode", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function encodes URI inside Contact headers by building a new URI from 'saddr'...")
exports.function("contact_param_decode", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function decodes URI inside Contact headers by building a new URI from 'pname'...")
exports.function("contact_param_decode_ruri", args=1, routes=RouteType.REQUEST, doc="Rebuild the R-URI from a Base64URL-encoded parameter of it.")
exports.function("contact_param_rm", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function removes the parameter from the URIs inside the Contact headers.")
exports.function("hdr_date_check", args=1, routes=RouteType.ANY, doc="Returns true if sip message has Date header and its value is lower than 'NOW() - tdiff'.")

# Pseudo-variables
exports.pv("pcv", inner=True, doc="P-Charging-Vector parts: all, value, genaddr, orig, term")
