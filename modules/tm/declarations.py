"""Kamailio's `tm` module as declared exports: Stateful transaction management (every
parameter, function and RPC Kamailio has; the implemented ones are attached in functions.py)."""

from siprouter.core.exports import (
    REQ_FAIL,
    REQ_FAIL_BRANCH_ONREPLY,
    REQ_FAIL_ONREPLY,
    ModuleExports,
    RouteType,
)

from .contacts import t_load_contacts, t_next_contact_flow, t_next_contacts

exports = ModuleExports("tm", doc="Stateful transaction management")

# Parameters
# Kamailio's cfg framework lists tm's string variables first (cfg.list).
exports.param("auto_inv_100_reason", str, "trying -- your call is important to us", runtime=True, doc="Set reason text of the automatically sent 100 to an INVITE.")
exports.param("default_reason", str, "Server Internal Error", runtime=True, doc="Default SIP reason phrase sent by t_reply() if it cannot retrieve its parameters (e.g.")
exports.param("ac_extra_hdrs", str, "", runtime=True, doc="Header fields prefixed by this parameter value are included in the CANCEL and negative...")
exports.param("ruri_matching", int, 1, runtime=True, range=(0, 1), doc="If set the TM module will try to match the request URI when doing SIP 1.0 (pre-RFC 3261)...")
exports.param("via1_matching", int, 1, runtime=True, doc="If set the TM module will try to match the topmost \"Via\" header when doing SIP 1.0...")
exports.param("callid_matching", int, 0, runtime=True, doc="If set the TM module will try to match the callid when doing transaction matching.")
exports.param("callid_cseq_matching", int, 0, runtime=True, doc="If set to something other than 0, will do transaction matching using callid and cseq...")
exports.param("fr_timer", int, 30000, runtime=True, doc="Timer which hits if no final reply for a request or ACK for a negative INVITE reply...")
exports.param("fr_inv_timer", int, 120000, runtime=True, doc="Timer which hits if no final reply for an INVITE arrives after a provisional message was...")
exports.param("wt_timer", int, 5000, runtime=True, doc="Time for which a transaction stays in memory to absorb delayed messages after it...")
exports.param("retr_timer1", int, 500, runtime=True, doc="Initial retransmission period (in milliseconds).")
exports.param("retr_timer2", int, 4000, runtime=True, doc="Maximum retransmission period (in milliseconds).")
exports.param("max_inv_lifetime", int, 180000, runtime=True, doc="Maximum time an INVITE transaction is allowed to be active (in milliseconds).")
exports.param("max_noninv_lifetime", int, 32000, runtime=True, doc="Maximum time a non-INVITE transaction is allowed to be active (in milliseconds).")
exports.param("noisy_ctimer", int, 1, runtime=True, range=(0, 1), doc="If set, INVITE transactions that time-out (FR INV timer) will be always replied.")
exports.param("auto_inv_100", int, 1, runtime=True, range=(0, 1), doc="If set (default) tm will automatically send and 100 reply to INVITEs.")
exports.param("unix_tx_timeout", int, 500, runtime=True, doc="Unix socket transmission timeout, in milliseconds.")
exports.param("restart_fr_on_each_reply", int, 1, runtime=True, range=(0, 1), doc="If set (default), the fr_inv_timer for an INVITE transaction will be restarted for each...")
exports.param("fr_timer_avp", str, None, doc="The value of fr_timer timer can be overriden on per-transaction basis.")
exports.param("fr_inv_timer_avp", str, None, doc="The value of fr_inv_timer timer can be overriden on per-transaction basis.")
exports.param("tw_append", str, None, multi=True, doc="Append PV values as extra headers to t_write_req/t_write_unix output.")
exports.param("pass_provisional_replies", int, 0, runtime=True, doc="If set, TMCB_LOCAL_RESPONSE_OUT tm registered callbacks will be called also for...")
exports.param("aggregate_challenges", int, 1, runtime=True, doc="If set (default) and the final response is a 401 or a 407 and more than one branch...")
exports.param("unmatched_cancel", int, 0, runtime=True, range=(0, 2), doc="This parameter selects between forwarding CANCELs that do not match any transaction...")
exports.param("default_code", int, 500, runtime=True, range=(400, 699), doc="Default response code sent by t_reply() if it cannot retrieve its parameters (e.g.")
exports.param("reparse_invite", int, 1, runtime=True, range=(0, 1), doc="If set (default), the CANCEL and negative ACK requests are constructed from the INVITE...")
exports.param("blst_503", int, 0, runtime=True, doc="If set and the Kamailio blocklist support is enabled, every 503 reply source is added to...")
exports.param("blst_503_def_timeout", int, 0, runtime=True, doc="Blocklist interval in seconds for a 503 reply with no \"Retry-After\" header.")
exports.param("blst_503_min_timeout", int, 0, runtime=True, doc="Minimum blocklist interval in seconds for a 503 reply with a \"Retry-After\" header.")
exports.param("blst_503_max_timeout", int, 3600, runtime=True, doc="Maximum blocklist interval in seconds for a 503 reply with a \"Retry-After header\".")
exports.param("blst_methods_add", int, 1, runtime=True, doc="Bitmap of method types that trigger blocklisting on transaction timeouts.")
exports.param("blst_methods_lookup", int, 4294967287, runtime=True, doc="Bitmap of method types that are looked-up in the blocklist before being forwarded...")
exports.param("cancel_b_method", int, 1, runtime=True, range=(0, 2), doc="Method used when attempting to CANCEL an unreplied transaction branch (a branch where no...")
exports.param("reparse_on_dns_failover", int, 1, runtime=True, doc="If set to 1, the SIP message after a DNS failover is constructed from the outgoing...")
exports.param("on_sl_reply", str, None, doc="Sets reply route block, to which control is passed when a reply is received that has no...")
exports.param("contacts_avp", str, None, doc="This is the name of an XAVP that the t_load_contacts() function uses to store contacts of...")
exports.param("contact_flows_avp", str, None, doc="This is the name of an XAVP that the t_next_contacts() function uses to store contacts...")
exports.param("disable_6xx_block", int, 0, runtime=True, range=(0, 1), doc="If set the TM module will treat all the 6xx replies like normal replies (warning: this...")
exports.param("local_ack_mode", int, 0, runtime=True, range=(0, 2), doc="This setting controls where locally generated ACKs for 2xx replies to local transactions...")
exports.param("failure_reply_mode", int, 3, doc="This parameter controls how branches are managed and replies are selected for...")
exports.param("faked_reply_prio", int, 0, doc="It controls how branch selection is done.")
exports.param("remap_503_500", int, 1, doc="Enables/disables conversion of 503 response code to 500.")
exports.param("failure_exec_mode", int, 0, doc="Add local failed branches in timer to be considered for failure routing blocks.")
exports.param("dns_reuse_rcv_socket", int, 0, doc="Control reuse of the receive socket for additional branches added by DNS failover.")
exports.param("local_cancel_reason", int, 1, runtime=True, range=(0, 1), doc="Enables/disables adding reason headers (RFC 3326) for CANCELs generated due to receiving...")
exports.param("e2e_cancel_reason", int, 1, runtime=True, range=(0, 1), doc="Enables/disables adding reason headers (RFC 3326) for CANCELs generated due to a received...")
exports.param("xavp_contact", str, None, doc="The name of XAVP storing the attributes per contact.")
exports.param("event_callback", str, None, doc="The name of the function in the kemi configuration file (embedded scripting language such...")
exports.param("relay_100", int, 0, runtime=True, range=(0, 1), doc="This parameter controls whether or not a SIP 100 response is proxied.")
exports.param("rich_redirect", int, None, doc="When sending a 3xx class reply, include additional branch info to the contacts such as...")
exports.param("event_callback_lres_sent", str, None, doc="The name of the function in the kemi configuration file (embedded scripting language such...")
exports.param("exec_time_check", int, 5000, doc="Duration in milliseconds for executing transaction failure callbacks and failure_route...")
exports.param("reply_relay_mode", int, 1, doc="If set to 1, a received 200ok response that was suspeneded is no longer forwarded in the...")
exports.param("enable_uac_fr", int, None, runtime=True, doc="Enable failure route trigger, for uac.")

# Functions
exports.function("t_newtran", args=0, routes=RouteType.REQUEST, doc="Creates a new transaction, returns a negative value on error.")
exports.function("t_lookup_request", args=0, routes=RouteType.REQUEST, doc="Checks if a transaction exists.")
exports.function("t_lookup_cancel", args=(0, 1), routes=RouteType.REQUEST, doc="Returns true if the corresponding INVITE transaction exists for a CANCEL request.")
exports.function("t_reply", formats=(0, 1), args=2, routes=REQ_FAIL_ONREPLY, doc="Sends a stateful reply after a transaction has been established.")
exports.function("t_send_reply", formats=(0, 1), args=2, routes=REQ_FAIL_ONREPLY, doc="Creates the transaction if it does not exist (executing internally t_newtran()) and sends...")
exports.function("t_retransmit_reply", args=0, routes=RouteType.REQUEST, doc="Retransmits a reply sent previously by UAS transaction.")
exports.function("t_release", args=0, routes=RouteType.REQUEST, doc="Remove transaction from memory (it will be first put on a wait timer to absorb delayed...")
exports.function("t_relay_to_udp", args=(0, 2), routes=REQ_FAIL, doc="Relay a message statefully using a fixed protocol either to the specified fixed...")
exports.function("t_relay_to_tcp", args=(0, 2), routes=REQ_FAIL, doc="See function t_relay_to_udp([ip, port]).")
exports.function("t_relay_to_tls", args=(0, 2), routes=REQ_FAIL, doc="See function t_relay_to_udp([ip, port]).")
exports.function("t_relay_to_sctp", args=(0, 2), routes=REQ_FAIL, doc="See function t_relay_to_udp([ip, port]).")
exports.function("t_replicate", args=(0, 1, 2), routes=RouteType.REQUEST, doc="Replicate the SIP request to a specific address.")
exports.function("t_replicate_udp", args=2, routes=RouteType.REQUEST, doc="Replicate the request statefully to host, port over UDP.")
exports.function("t_replicate_tcp", args=2, routes=RouteType.REQUEST, doc="Replicate the request statefully to host, port over TCP.")
exports.function("t_replicate_tls", args=2, routes=RouteType.REQUEST, doc="Replicate the request statefully to host, port over TLS.")
exports.function("t_replicate_sctp", args=2, routes=RouteType.REQUEST, doc="Replicate the request statefully to host, port over SCTP.")
exports.function("t_replicate_to", args=2, routes=RouteType.REQUEST, doc="Replicate the request statefully to proto, hostport.")
exports.function("t_relay", args=(0, 2), routes=REQ_FAIL, doc="Relay a message statefully either to the destination indicated in the current URI (if...")
exports.function("t_relay_to_avp", args=2, routes=RouteType.REQUEST, doc="Relay statefully to the destination held in AVPs.")
exports.function("t_relay_to", args=(0, 1, 2), routes=REQ_FAIL, doc="Forward the SIP request to a specific address, controlling internal behavior via flags.")
exports.function("t_forward_nonack", args=2, routes=RouteType.REQUEST, doc="Mainly for internal usage -- forward a non-ACK request statefully.")
exports.function("t_forward_nonack_uri", args=0, routes=RouteType.REQUEST, doc="Forward a non-ACK request statefully to the R-URI.")
exports.function("t_forward_nonack_udp", args=2, routes=RouteType.REQUEST, doc="See function t_forward_nonack([ip, port]).")
exports.function("t_forward_nonack_tcp", args=2, routes=RouteType.REQUEST, doc="See function t_forward_nonack([ip, port]).")
exports.function("t_forward_nonack_tls", args=2, routes=RouteType.REQUEST, doc="See function t_forward_nonack([ip, port]).")
exports.function("t_forward_nonack_sctp", args=2, routes=RouteType.REQUEST, doc="See function t_forward_nonack([ip, port]).")
exports.function("t_forward_nonack_to", args=2, routes=RouteType.REQUEST, doc="Forward a non-ACK request statefully to proto, hostport.")
exports.function("t_relay_cancel", args=0, routes=RouteType.REQUEST, doc="Forwards the CANCEL if the corresponding INVITE transaction exists.")
exports.function("t_on_failure", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Sets failure routing block, to which control is passed after a transaction completed with...")
exports.function("t_on_branch_failure", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Sets the branch_failure routing block, to which control is passed on each negative...")
exports.function("t_on_reply", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Sets the reply routing block, to which control is passed when a reply for the current...")
exports.function("t_on_branch", args=1, routes=REQ_FAIL, doc="Sets the branch routing block, to which control is passed after forking (when a new...")
exports.function("t_check_status", args=1, routes=REQ_FAIL_ONREPLY, doc="Returns true if the regular expression “re” match the reply code of the response message...")
exports.function("t_write_req", args=2, routes=REQ_FAIL, doc="Write the request to a FIFO for an external application.")
exports.function("t_write_unix", args=2, routes=REQ_FAIL, doc="Write the request to a unix socket for an external application.")
exports.function("t_set_fr", args=(1, 2), routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Sets the fr_inv_timeout and optionally fr_timeout for the current transaction or for...")
exports.function("t_reset_fr", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Resets the fr_inv_timer and fr_timer for the current transaction to the default values...")
exports.function("t_set_retr", args=2, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Sets the retr_t1_interval and retr_t2_interval for the current transaction or for...")
exports.function("t_reset_retr", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Resets the retr_timer1 and retr_timer2 for the current transaction to the default values...")
exports.function("t_set_max_lifetime", args=2, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Sets the maximum lifetime for the current INVITE or non-INVITE transaction, or for...")
exports.function("t_reset_max_lifetime", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Resets the maximum lifetime for the current INVITE or non-INVITE transaction to the...")
exports.function("t_set_auto_inv_100", args=1, routes=RouteType.REQUEST, doc="Switch automatically sending 100 replies to INVITEs on/off on a per transaction basis.")
exports.function("t_set_disable_6xx", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Turn off/on 6xx replies special rfc conforming handling on a per transaction basis.")
exports.function("t_set_disable_failover", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Turn off/on dns failover on a per transaction basis.")
exports.function("t_set_no_e2e_cancel_reason", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Enables/disables reason header (RFC 3326) copying from the triggering received CANCEL to...")
exports.function("t_disable_e2e_cancel_reason", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Alias of t_set_no_e2e_cancel_reason().")
exports.function("t_set_disable_internal_reply", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Turn off/on sending internally a SIP reply in case of relay errors.")
exports.function("t_branch_timeout", args=0, routes=REQ_FAIL, doc="Returns true if the failure route is executed for a branch that did timeout.")
exports.function("t_branch_replied", args=0, routes=REQ_FAIL, doc="Returns true if the failure route is executed for a branch that did receive at least one...")
exports.function("t_any_timeout", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Returns true if at least one of the current transactions branches did timeout.")
exports.function("t_any_replied", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Returns true if at least one of the current transactions branches did receive some reply...")
exports.function("t_is_canceled", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Returns true if the current transaction was canceled.")
exports.function("t_is_retr_async_reply", args=0, routes=RouteType.TM_ONREPLY, doc="Check to see if the reply is a retransmitted reply on a transaction that is currently...")
exports.function("t_is_expired", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Returns true if the current transaction has already been expired, i.e.")
exports.function("t_grep_status", args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.TM_ONREPLY | RouteType.BRANCH, doc="Returns true if \"code\" is the final reply received (or locally generated) in at least one...")
exports.function("t_drop_replies", args=(0, 1), routes=RouteType.FAILURE, doc="Drops all the previously received replies in failure_route block to make sure that none...")
exports.function("t_save_lumps", args=0, routes=RouteType.REQUEST, doc="Forces the modifications of the processed SIP message to be saved in shared memory before...")
exports.function("t_check_trans", args=0, routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.BRANCH, doc="t_check_trans() can be used to quickly check if a message belongs or is related to a...")
exports.function("t_is_set", args=1, routes=RouteType.ANY, doc="Return true if the attribute specified by 'target' is set for transaction.")
exports.function("t_use_uac_headers", args=0, routes=RouteType.ANY, doc="Set internal flags to tell tm to use UAC side for building headers for local generated...")
exports.function("t_uac_send", args=6, routes=RouteType.ANY, doc="Send a UAC request.")
exports.function("t_get_status_code", args=0, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Return the status code for transaction - the most relevant SIP reply status code, or -1...")
exports.function("t_load_contacts", args=(0, 1), routes=REQ_FAIL, doc="This is the first of the three functions that can be used to implement serial/parallel...")(t_load_contacts)
exports.function("t_next_contacts", args=0, routes=REQ_FAIL, doc="Function t_next_contacts() is the second of the three functions that can be used to...")(t_next_contacts)
exports.function("t_next_contact_flow", args=0, routes=RouteType.REQUEST, doc="Function t_next_contact_flow() is the last of the three functions that can be used to...")(t_next_contact_flow)
exports.function("t_clean", args=0, routes=RouteType.ANY, doc="Cleans active but very old transactions.")

# RPC commands
exports.rpc("tm.list", "List details of transactions.", ())
exports.rpc("tm.t_uac_start", "Generates and sends a local SIP request.", ("method", "RURI", "NEXT", "socket", "headers", "body"))
exports.rpc("tm.t_uac_wait", "Similar to tm.t_uac_start, but waits asynchronously for the SIP response and tries to...", ())
exports.rpc("tm.t_uac_wait_block", "Similar to tm.t_uac_start, but blocks waiting for the SIP response and returns the SIP...", ())
exports.rpc("tm.cancel", "Generates and sends a CANCEL for an existing local SIP request.", ("callid", "cseq"))
exports.rpc("tm.hash_stats", "Gets information about the load of TM internal hash table.", ())
exports.rpc("tm.reply", "Generates and sends a reply for an existing inbound SIP transaction.", ("code", "reason", "trans_id", "to_tag", "new_headers", "body"))
exports.rpc("tm.reply_callid", "Generates and sends a reply for an existing inbound SIP transaction.", ("code", "reason", "callid", "cseq", "to_tag", "new_headers", "body"))
exports.rpc("tm.clean", "Trigger a hard clean of expired transactions.", ())
exports.rpc("tm.stats", "Gets information about current and past TM transaction handling.", ())

exports.event_routes = ("tm:branch-failure:*", "tm:local-request", "tm:local-response")

exports.counters.update({
    "tm.current": "Transactions in memory now (server side).",
    "tm.total": "Server transactions created by received requests.",
    "tm.total_local": "Client transactions created (one per branch, CANCELs included).",
    "tm.rpl_received": "Replies received for our client transactions.",
    "tm.rpl_generated": "Replies generated locally (t_reply, 100 Trying, 408, 487).",
    "tm.rpl_sent": "Replies sent upstream (relayed or generated).",
    "tm.retransmissions": "Requests retransmitted by our client transactions.",
    "tm.2xx": "Transactions completed with a 2xx.",
    "tm.3xx": "Transactions completed with a 3xx.",
    "tm.4xx": "Transactions completed with a 4xx.",
    "tm.5xx": "Transactions completed with a 5xx.",
    "tm.6xx": "Transactions completed with a 6xx.",
})
