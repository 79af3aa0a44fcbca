"""Kamailio's `rtpproxy` module as declared exports: Media relay control through rtpproxy."""

from siprouter.core.exports import REQ_FAIL_BRANCH_ONREPLY, ModuleExports, RouteType

exports = ModuleExports("rtpproxy", doc="Media relay control through rtpproxy")

# Parameters
exports.param("nortpproxy_str", str, "a=nortpproxy:yes\\r\\n", doc="This parameter sets the SDP attribute used by rtpproxy to mark the message's SDP...")
exports.param("rtpproxy_sock", str, None, multi=True, doc="Used to define the list of RTPProxy instances to connect to.")
exports.param("rtpproxy_disable_tout", int, 60, doc="Once RTPProxy was found unreachable and marked as disabled, the rtpproxy module will not...")
exports.param("rtpproxy_retr", int, 5, doc="How many times the module should retry to send and receive after timeout was generated.")
exports.param("rtpproxy_tout", int, 1, doc="Timeout value in waiting for reply from RTPProxy.")
exports.param("timeout_socket", str, "", doc="The parameter sets the RTP timeout socket, which is transmitted to the RTP-Proxy.")
exports.param("ice_candidate_priority_avp", str, None, doc="If specified and if value of the avp value is not 0, rtpproxy_manage function adds ICE...")
exports.param("extra_id_pv", str, None, doc="The parameter sets the PV definition to use when the “b” parameter is used on...")
exports.param("db_url", str, None, doc="The database URL to load rtp_proxy sets from.")
exports.param("table_name", str, "rtpproxy", doc="The name of the table containing the rtpproxy sets.")
exports.param("rtp_inst_pvar", str, None, doc="A pseudo variable to store the chosen RTPProxy address.")

# Functions
exports.function("set_rtp_proxy_set", args=1, routes=RouteType.ANY, doc="Sets the Id of the rtpproxy set to be used for the next unforce_rtp_proxy()...")
# Kamailio 3.1 name, later split into rtpproxy_offer()/rtpproxy_answer().
exports.function("force_rtp_proxy", args=(0, 1, 2), routes=REQ_FAIL_BRANCH_ONREPLY, doc="Rewrite SDP so media goes through rtpproxy (3.1 name).")
exports.function("unforce_rtp_proxy", args=(0, 1), routes=RouteType.ANY, doc="Same as rtpproxy_destroy().")
exports.function("rtpproxy_destroy", args=(0, 1), routes=RouteType.ANY, doc="Tears down the RTPProxy session for the current call.")
exports.function("start_recording", args=0, routes=RouteType.ANY, doc="This function will send a signal to the RTP-Proxy to record the RTP stream on the...")
exports.function("rtpproxy_offer", args=(0, 1, 2), routes=RouteType.ANY, doc="Rewrites SDP body to ensure that media is passed through an RTP proxy.")
exports.function("rtpproxy_answer", args=(0, 1, 2), routes=RouteType.ANY, doc="Rewrites SDP body to ensure that media is passed through an RTP proxy.")
exports.function("rtpproxy_stream2uac", args=2, routes=RouteType.ANY, doc="Instruct the RTPproxy to stream prompt/announcement pre-encoded with the makeann command...")
exports.function("rtpproxy_stream2uas", args=2, routes=RouteType.ANY, doc="See function rtpproxy_stream2uac(prompt_name, count).")
exports.function("rtpproxy_stop_stream2uac", args=0, routes=RouteType.ANY, doc="Stop streaming of announcement/prompt/MOH started previously by the respective...")
exports.function("rtpproxy_stop_stream2uas", args=0, routes=RouteType.ANY, doc="See function rtpproxy_stop_stream2uac().")
exports.function("rtpproxy_manage", args=(0, 1, 2), routes=RouteType.ANY, doc="Manage the RTPProxy session - it combines the functionality of rtpproxy_offer()...")

# Pseudo-variables
exports.pv("rtpstat", inner=False, doc="RTP statistics from rtpproxy")
exports.pv("rtppstat", inner=False, doc="RTP statistics from rtpproxy (alias)")

# RPC commands
exports.rpc("rtpproxy.enable", "Enables a rtp proxy if parameter value is greater than 0.", ())
exports.rpc("rtpproxy.list", "Displays all the rtp proxies and their information: set and status (disabled or not...", ())
