"""Kamailio's `registrar` module as declared exports: SIP registrar: save and lookup of contacts."""

from siprouter.core.exports import REQ_FAIL, REQ_FAIL_ONREPLY, ModuleExports, RouteType

exports = ModuleExports("registrar", doc="SIP registrar: save and lookup of contacts")

# Parameters
exports.param("default_expires", int, 3600, runtime=True, doc="If the processed message contains neither Expires header fields nor expires contact...")
exports.param("default_expires_range", int, 0, runtime=True, doc="This parameter specifies that the expiry used for newly created usrloc records are not...")
exports.param("expires_range", int, 0, runtime=True, doc="Similar to default_expires_range, but it applies to the incoming expires value.")
exports.param("default_q", int, 0, runtime=True, doc="The parameter represents default “q” value for new contacts.")
exports.param("append_branches", int, 1, runtime=True, doc="The parameter controls how lookup function processes multiple contacts.")
exports.param("case_sensitive", int, 0, runtime=True, doc="If set to 1 then AOR comparison and also storing will be case sensitive, if set to 0 then...")
exports.param("realm_prefix", str, None, runtime=True, doc="Prefix to be automatically stripped from realm.")
exports.param("min_expires", int, 60, runtime=True, doc="The minimum expires value of a “Contact”.")
exports.param("max_expires", int, 0, runtime=True, doc="The maximum accepted expires value of a “Contact”, values higher than this maximum will...")
exports.param("received_param", str, "received", doc="The name of the parameter that will be appended to Contact URI's of 200 OK when the...")
exports.param("received_avp", str, None, doc="Registrar will store the value of the AVP configured by this parameter in the received...")
exports.param("max_contacts", int, 0, runtime=True, doc="The parameter can be used to limit the number of contacts per AOR (Address of Record) in...")
exports.param("retry_after", int, 0, runtime=True, doc="The registrar can generate a 5xx reply to REGISTER requests in various situations.")
exports.param("sock_mode", int, 0, doc="If set to 1, the server stores the advertised address in socket field, instead of bind...")
exports.param("sock_flag", int, -1, doc="Message flag to signal to the registrar module to look into REGISTER request for a header...")
exports.param("sock_hdr_name", str, None, doc="Header which contains a socket description (proto:IP:port) to override the received...")
exports.param("method_filtering", int, 0, doc="Tells if the contact filtering based on supported methods should be performed during...")
exports.param("use_path", int, 0, doc="If set to 1, the “Path:” header is handled according to the parameter This parameter can...")
exports.param("path_mode", int, 2, doc="The registrar module implements three different modes regarding the response to a...")
exports.param("path_use_received", int, 0, doc="If set to 1, the “received” parameter of the first Path URI of a registration is set as...")
exports.param("path_check_local", int, 0, doc="If set to 1, when performing a lookup the Path (if present) is evaluated and if the first...")
exports.param("xavp_cfg", str, None, doc="Defines the name of XAVP class to store runtime module config values.")
exports.param("xavp_rcd", str, None, doc="Defines the name of XAVP class to store details from the location records.")
exports.param("xavp_rcd_mask", int, 0, doc="Defines what values to skip when xavp_rcd is stored.")
exports.param("gruu_enabled", int, 1, doc="If set to 1 and the “+sip.instance” parameter to Contact header of REGISTER is present...")
exports.param("outbound_mode", int, 0, doc="If set to 0 this module will accept REGISTER requests that do not contain a “Supported:”...")
exports.param("regid_mode", int, 0, doc="If set to 0 this module will ignore the “regid” contact param when saving REGISTER...")
exports.param("flow_timer", int, 0, doc="If set to 0 then this module will not add a “Flow-Timer:” header to 200 OK responses to...")
exports.param("contact_max_size", int, 512, doc="Max size of URIs in “Contact:” header.")
exports.param("event_callback", str, None, doc="The name of the function in the KEMI configuration file (embedded scripting language such...")
exports.param("lookup_filter_mode", int, None, doc="Control what filters should be applied to lookup(...) operations.")
exports.param("min_expires_mode", int, 0, doc="Control what to do when expires value in REGISTER request is lower than min_expires...")
exports.param("use_expired_contacts", int, 0, runtime=True, doc="Allow/Disallow the usage of the expired contacts.")

# Functions
exports.function("save", args=(1, 2, 3), routes=REQ_FAIL_ONREPLY, doc="The function processes a REGISTER message.")
exports.function("lookup", args=(1, 2), routes=REQ_FAIL, doc="The lookup function extracts username and/or domain from Request-URI and tries to find...")
exports.function("lookup_to_dset", args=(1, 2), routes=REQ_FAIL, doc="Similar to lookup(...), but push the location contacts to destination set, without...")
exports.function("registered", args=(1, 2, 3, 4), routes=RouteType.ANY, doc="The function returns true if the AOR in the URI is registered, false otherwise.")
exports.function("add_sock_hdr", args=1, routes=RouteType.REQUEST, doc="Adds a new header to the current REGISTER request with “hdr_name” which contains the...")
exports.function("unregister", args=(2, 3), routes=RouteType.ANY, doc="The function removes contacts associated with 'uri' from the location database.")
exports.function("reg_fetch_contacts", args=3, routes=REQ_FAIL, doc="The function fetches the contacts for 'uri' from table 'domain' to pseudo-variable...")
exports.function("reg_free_contacts", args=1, routes=REQ_FAIL, doc="The function frees the contacts from pseudo-variable $ulc(profile).")
exports.function("lookup_branches", args=1, routes=REQ_FAIL, doc="The function performs lookup(domain) on r-uri and additional branches (only branches that...")
exports.function("reg_send_reply", args=0, routes=REQ_FAIL, doc="The function sends the SIP reply that is normally sent by save(...), but that was skipped...")

# Pseudo-variables
exports.pv("ulc", writable=True, inner=True, doc="contacts fetched by reg_fetch_contacts ($ulc(profile=>attr))")

exports.event_routes = ("usrloc:contact-expired",)

exports.counters.update({
    "registrar.max_expires": "Value of max_expires parameter.",
    "registrar.max_contacts": "The value of max_contacts parameter.",
    "registrar.default_expires": "The value of default_expires parameter.",
    "registrar.accepted_regs": "Number of accepted registrations.",
    "registrar.rejected_regs": "Number of rejected registrations.",
})
