"""Kamailio's `presence_xml` module as declared exports: Presence handler for XML bodies (presence, presence.winfo, dialog-info)."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("presence_xml", doc="Presence handler for XML bodies (presence, presence.winfo, dialog-info)")

# Parameters
exports.param("db_url", str, "mysql://kamailio:kamailiorw@localhost/kamailio", doc="The database URL.")
exports.param("xcap_table", str, "xcap", doc="The name of the database table where XCAP documents are stored.")
exports.param("force_active", int, 0, doc="This parameter is used for permissions when handling Subscribe messages.")
exports.param("integrated_xcap_server", int, 0, doc="This parameter is a flag for the type of XCAP servers used.")
exports.param("xcap_server", str, None, multi=True, doc="The address of the xcap servers used for storage.")
exports.param("disable_presence", int, 0, doc="Set this parameter to disable the handling of the \"presence\" event.")
exports.param("disable_winfo", int, 0, doc="Set this parameter to disable the handling of the \"presence.winfo\" event.")
exports.param("disable_bla", int, 1, doc="Set this parameter to disable the handling of the \"dialog;sla\" event.")
exports.param("disable_xcapdiff", int, 0, doc="Set this parameter to disable the handling of the \"xcap-diff\" event.")
exports.param("passive_mode", int, 0, doc="If set to 1, module acts in passive mode - no bind to presence module, no connection to...")
exports.param("xcapauth_userdel_reason", str, "probation", doc="This parameter represents the reason that will be included in the Subscription-State...")
exports.param("force_dummy_presence", int, 0, doc="Set this parameter to enable simple body notify with status 'open' when presentity info...")
exports.param("force_presence_single_body", int, 0, doc="Set this parameter to enable single body notify.")
exports.param("presence_single_body_priorities", str, "Available|Ringing|On the Phone", doc="Change this parameter to set the priorities when choosing the dialog that will be the...")
exports.param("presence_single_body_lookup_element", str, "note", doc="Set the name of the element that should be used to get the priority.")
exports.param("default_expires", int, 3600, doc="The default expires value used when missing from SUBSCRIBE message (in seconds).")

# Functions
exports.function("pres_check_basic", args=2, routes=RouteType.ANY, doc="Checks the /presence/tuple/status/basic nodes in the presentity for presentity_uri...")
exports.function("pres_check_activities", args=2, routes=RouteType.ANY, doc="Checks whether a /presence/person/activities/activity node exists in the presentity for...")
