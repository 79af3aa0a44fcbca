"""Kamailio's `presence` module as declared exports: SIP presence server core: PUBLISH/SUBSCRIBE/NOTIFY."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("presence", doc="SIP presence server core: PUBLISH/SUBSCRIBE/NOTIFY")

# Parameters
exports.param("db_url", str, None, doc="The database url.")
exports.param("presentity_table", str, "presentity", doc="The name of the db table where PUBLISH presence information is stored.")
exports.param("active_watchers_table", str, "active_watchers", doc="The name of the db table where active subscription information is stored.")
exports.param("watchers_table", str, "watchers", doc="The name of the db table where subscription states are stored.")
exports.param("clean_period", int, 100, doc="The period in seconds between checks if there are expired messages stored in database.")
exports.param("db_update_period", int, 100, doc="The period at which to synchronize cached subscriber info with the database.")
exports.param("waitn_time", int, 5, doc="The maximum time period that NOTIFY requests will be buffered for.")
exports.param("notifier_poll_rate", int, 10, doc="The number of times per second that the notifier processes should check for work.")
exports.param("notifier_processes", int, 1, doc="The number of notifier processes that should be started.")
exports.param("force_delete", int, 0, doc="Enabling this parameter will delete expired presentity records without updating watchers.")
exports.param("startup_mode", int, 1, doc="Setting this parameter to 0 will provide startup related backward compatibility for some...")
exports.param("expires_offset", int, 0, doc="The value in seconds that should be subtracted from the expires value when sending a...")
exports.param("max_expires", int, 3600, doc="The maximum admissible expires value for PUBLISH/SUBSCRIBE message (in seconds).")
exports.param("min_expires", int, 0, doc="The minimum admissible expires value for PUBLISH/SUBSCRIBE message (in seconds).")
exports.param("min_expires_action", int, 1, doc="The action to take when UA sends an expires value less then min_expires.")
exports.param("server_address", str, None, doc="The presence server address which will become the value of Contact header filed for 200...")
exports.param("subs_htable_size", int, 9, doc="The size of the in-memory hash table to store subscription dialogs.")
exports.param("pres_htable_size", int, 9, doc="The size of the in-memory hash table to store publish records.")
exports.param("subs_db_mode", int, 2, doc="The presence module can utilize database for persistent subscription storage.")
exports.param("publ_cache", int, 1, doc="To improve performance, the presence module can operate in a couple of modes related to...")
exports.param("enable_sphere_check", int, 0, doc="This parameter is a flag that should be set if permission rules include sphere checking.")
exports.param("timeout_rm_subs", int, 1, doc="This parameter is a flag that should be set if subscriptions should be removed from the...")
exports.param("send_fast_notify", int, 1, doc="This parameter enables or disables the sending of an initial empty NOTIFY after a...")
exports.param("fetch_rows", int, 500, doc="Number of rows to be loaded in one step from database.")
exports.param("db_table_lock_type", int, 1, doc="Enable (=1) or disable (=0) the Locks for table during a transaction.")
exports.param("local_log_level", int, 2, doc="Control log level for some debug messages inside the module.")
exports.param("local_log_facility", str, "taken", doc="Control syslog facility for some debug messages inside the module.")
exports.param("subs_remove_match", int, 0, doc="Control how to match the subscriptions to remove from memory.")
exports.param("xavp_cfg", str, None, doc="The name of the xavp to be used to specify attributes for internal processing of presence...")
exports.param("retrieve_order", int, 0, doc="If set to 0, presentity records are retrieve by received_time order.")
exports.param("retrieve_order_by", str, "priority", doc="Used to set the order-by of the db query for fetching the presence records when...")
exports.param("sip_uri_match", int, 0, doc="The mode used when comparing uris.")
exports.param("cseq_offset", int, 0, doc="The allowed offset between server and client cseq.")
exports.param("enable_dmq", int, 0, doc="If set to 1, will enable DMQ replication of presentities between nodes.")
exports.param("pres_subs_mode", int, 1, doc="Allow disabling cloning subscription structure for pv $subs(...), saving the pkg memory...")
exports.param("delete_same_subs", int, 0, doc="Enable deleting of subscriptions with the same presence uri and callid.")
exports.param("timer_mode", int, 1, doc="Specify what timer process to be used.")
exports.param("subs_respond_200", int, 1, doc="Specify the response code for accepted SUBSCRIBE requests.")

# Functions
exports.function("handle_publish", args=(0, 1), routes=RouteType.REQUEST, doc="Handles PUBLISH requests by storing and updating published information in memory cache...")
exports.function("handle_subscribe", args=(0, 1), routes=RouteType.REQUEST, doc="The function which handles SUBSCRIBE requests.")
exports.function("pres_auth_status", args=2, routes=RouteType.REQUEST, doc="The function checks if watcher URI is authorized to subscribe event 'presence' of...")
exports.function("pres_refresh_watchers", args=(3, 5), routes=RouteType.ANY, doc="The function can be used in configuration to trigger notifies to watchers if a change in...")
exports.function("pres_update_watchers", args=2, routes=RouteType.ANY, doc="The function can be used in configuration to triger updates to watchers status if a...")
exports.function("pres_has_subscribers", args=2, routes=RouteType.ANY, doc="Allows to check if presentity has any subscribers of event.")

# Pseudo-variables
exports.pv("subs", inner=True, doc="attributes of the subscription being handled")
exports.pv("notify_reply", inner=True, doc="attributes of the reply to a NOTIFY")

# RPC commands
exports.rpc("presence.cleanup", "Manually triggers the cleanup functions for the active_watchers, presentity, and watchers...", ())
exports.rpc("presence.refreshWatchers", "Triggers sending Notify messages to watchers if a change in watchers authorization or in...", ("uri", "event", "type", "file_uri", "filename"))
exports.rpc("presence.updateWatchers", "Manually triggers updates to watchers (for example, after the contents of XCAP docs has...", ("uri", "event"))
exports.rpc("presence.presentity_list", "List the presentity records stored in memory.", ("mode",))

exports.event_routes = ("presence:notify-reply",)
