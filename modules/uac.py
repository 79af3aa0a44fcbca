"""Kamailio's `uac` module as declared exports: UAC functions: From/To replacement, authentication, remote registrations."""

from siprouter.core.exports import REQ_FAIL_BRANCH, ModuleExports, RouteType

exports = ModuleExports("uac", doc="UAC functions: From/To replacement, authentication, remote registrations")

# Parameters
exports.param("rr_from_store_param", str, None, doc="Name of Record-Route header parameter that will be used to store an encoded version of...")
exports.param("rr_to_store_param", str, None, doc="Name of Record-Route header parameter that will be used to store (encoded) the original...")
exports.param("restore_mode", str, None, doc="There are 3 modes of restoring the original FROM URI and the original TO URI: * “none” -...")
exports.param("restore_dlg", int, 0, doc="If set to 1, the module uses dialog variables to store initial and new values for From/To...")
exports.param("restore_passwd", str, None, doc="String password to be used to encrypt the RR storing parameters.")
exports.param("restore_from_avp", str, None, doc="If defined and restore_mode is manual or auto, the avp is used to save the original from...")
exports.param("restore_to_avp", str, None, doc="If defined and restore_mode is manual or auto, the avp is used to save the original To...")
exports.param("credential", str, None, multi=True, doc="Contains a multiple definition of credentials used to perform authentication.")
exports.param("auth_username_avp", str, None, doc="The definition of an AVP that might contain the username to be used to perform...")
exports.param("auth_realm_avp", str, None, doc="The definition of a PV that might contain the realm to be used to perform authentication.")
exports.param("auth_password_avp", str, None, doc="The definition of an AVP that might contain the password to be used to perform...")
exports.param("reg_db_url", str, "", doc="DB URL to fetch account profiles for registration.")
exports.param("reg_db_table", str, None, doc="DB table name to fetch user profiles for registration.")
exports.param("reg_contact_addr", str, None, doc="Address to be used to build contact address.")
exports.param("reg_timer_interval", int, 90, doc="Timer interval (in seconds) at which registrations are managed, e.g.")
exports.param("reg_retry_interval", int, 0, doc="Failed registration attempts will be retried after this interval (in seconds).")
exports.param("reg_keep_callid", int, None, doc="If set to 0 (default), a new Call-Id will be generated for each registration attempt.")
exports.param("reg_random_delay", int, 0, doc="Set a random reg_delay for each registration that has reg_delay set to 0 in the database.")
exports.param("reg_active", int, 1, doc="If set to 0, no remote regisrations are done.")
exports.param("reg_gc_interval", int, 150, doc="Timer interval (in seconds) at which remote registrations are cleaned up in case of...")
exports.param("reg_hash_size", int, 4, doc="The number of entries of the hash table used by uac_reg to store the registration records...")
exports.param("reg_use_domain", int, 0, doc="If set to 1, domain part of URIs is used by functions doing lookup on user name.")
exports.param("default_socket", str, None, doc="Default socket to be used for generating registration requests and sending requests with...")
exports.param("event_callback", str, None, doc="The name of the function in the kemi configuration file (embedded scripting language such...")

# Functions
exports.function("uac_replace_from", args=(1, 2), routes=RouteType.REQUEST | RouteType.BRANCH, doc="Replace in FROM header the display name and the URI part.")
exports.function("uac_restore_from", args=0, routes=RouteType.REQUEST, doc="This function will check if the FROM URI was modified and will use the information stored...")
exports.function("uac_replace_to", args=(1, 2), routes=RouteType.REQUEST | RouteType.BRANCH, doc="Replace in TO header the display name and the URI part.")
exports.function("uac_restore_to", args=0, routes=RouteType.REQUEST, doc="This function will check if the TO URI was modified and will use the information stored...")
exports.function("uac_auth", args=(0, 1), routes=RouteType.FAILURE, doc="This function can be called only from failure route and will build the authentication...")
exports.function("uac_auth_mode", args=1, routes=RouteType.FAILURE, doc="This function can be called only from failure route and will build the authentication...")
exports.function("uac_req_send", args=0, routes=RouteType.ANY, doc="This function sends a SIP message from the configuration file.")
exports.function("uac_reg_lookup", args=2, routes=RouteType.ANY, doc="This function sets the PV dst to SIP URI that correspond to uuid in uac registrations...")
exports.function("uac_reg_lookup_uri", args=2, routes=RouteType.ANY, doc="This function sets the PV dst to SIP URI that correspond to the URI user in uac...")
exports.function("uac_reg_status", args=1, routes=RouteType.ANY, doc="This function returns the current registration status for the uuid.")
exports.function("uac_reg_request_to", args=2, routes=REQ_FAIL_BRANCH, doc="This function can be used to send an authenticated request to a remote user in the uac...")
exports.function("uac_reg_enable", args=2, routes=RouteType.ANY, doc="Enable a remote registration record based on a filter specified by attribute and value.")
exports.function("uac_reg_disable", args=2, routes=RouteType.ANY, doc="Disable a remote registration record based on a filter specified by attribute and value.")
exports.function("uac_reg_refresh", args=1, routes=RouteType.ANY, doc="Refresh the uac remote registration record based on local uuid.")

# Pseudo-variables
exports.pv("uac_req", writable=True, inner=True, doc="fields of the request sent by uac_req_send(): method, ruri, hdrs, body ...")

# RPC commands
exports.rpc("uac.reg_dump", "Dump the content of remote registration table from memory.", ())
exports.rpc("uac.reg_info", "Return the details of a remote registration record based on a filter.", ())
exports.rpc("uac.reg_enable", "Enable a remote registration record based on a filter.", ())
exports.rpc("uac.reg_disable", "Disable a remote registration record based on a filter.", ())
exports.rpc("uac.reg_unregister", "Send REGISTER with expires 0 for matching record, disabling it.", ())
exports.rpc("uac.reg_reload", "Reload the records from database for remote registrations.", ())
exports.rpc("uac.reg_refresh", "Load one record by l_uuid from database for remote registrations.", ())
exports.rpc("uac.reg_active", "Control if the module should do remote registrations or not.", ())
exports.rpc("uac.reg_add", "Add a new UAC remote registration record.", ())
exports.rpc("uac.reg_remove", "Remove a UAC remote registration record by l_uuid.", ())

exports.event_routes = ("uac:reply",)
