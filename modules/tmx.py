"""Kamailio's `tmx` module as declared exports: TM extensions: transaction PVs and helpers."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("tmx", doc="TM extensions: transaction PVs and helpers")

# Parameters
exports.param("precheck_trans", int, 1, doc="Enable/disable transaction pre-check via t_precheck_trans() function.")

# Functions
exports.function("t_cancel_branches", args=1, routes=RouteType.ONREPLY, doc="Cancel branches of an active SIP transaction.")
exports.function("t_cancel_callid", args=(3, 4), routes=RouteType.ANY, doc="Cancel first INVITE transaction identified by callid and cseq.")
exports.function("t_reply_callid", args=4, routes=RouteType.ANY, doc="Send reply to first transaction identified by callid and cseq.")
exports.function("t_flush_flags", args=0, routes=RouteType.ANY, doc="Flush the flags from current SIP message into the already created transaction.")
exports.function("t_flush_xflags", args=0, routes=RouteType.ANY, doc="Flush the extended flags from current SIP message into the already created transaction.")
exports.function("t_is_failure_route", args=0, routes=RouteType.ANY, doc="Returns true if the top-executed route block is failure_route.")
exports.function("t_is_branch_route", args=0, routes=RouteType.ANY, doc="Returns true if the top-executed route block is branch_route.")
exports.function("t_is_reply_route", args=0, routes=RouteType.ANY, doc="Returns true if the top-executed route block is reply_route.")
exports.function("t_is_request_route", args=0, routes=RouteType.ANY, doc="Returns true if the top-executed route block is request_route.")
exports.function("t_suspend", args=0, routes=RouteType.ANY, doc="Suspend the execution of SIP request in a transaction.")
exports.function("t_continue", args=3, routes=RouteType.ANY, doc="Continue the execution of the transaction identified by tindex and tlabel with the...")
exports.function("t_reuse_branch", args=0, routes=RouteType.REQUEST, doc="Creates new \"main\" branch by making copy of branch-failure branch.")
exports.function("t_precheck_trans", args=0, routes=RouteType.REQUEST, doc="Check if current processed message is handled by other process.")
exports.function("t_drop", args=(0, 1), routes=RouteType.ANY, doc="Drops the transaction with response code (500 default).")

# Pseudo-variables
exports.pv("T_branch_idx", inner=False, doc="index of the branch being processed")
exports.pv("T_reply_ruid", inner=False, doc="ruid of the contact that sent the reply")
exports.pv("T_reply_code", inner=False, doc="status code of the reply that triggered the route")
exports.pv("T_reply_reason", inner=False, doc="reason phrase of the winning reply")
exports.pv("T_reply_last", inner=False, doc="status code of the last reply received")
exports.pv("T_inv", inner=True, doc="PV evaluated over the INVITE of a CANCEL ($T_inv(pv))")
exports.pv("T_req", inner=True, doc="PV evaluated over the transaction's request ($T_req(pv))")
exports.pv("T_rpl", inner=True, doc="PV evaluated over the transaction's reply ($T_rpl(pv))")
exports.pv("T", inner=True, doc="transaction attributes: id_index, id_label, reply_code, reply_type, branch_index ...")
exports.pv("T_branch", inner=True, doc="attributes of the current branch: flags, uri, ruid")

exports.counters.update({
    "tmx.UAS_transactions": "Total number of transactions created by received requests.",
    "tmx.UAC_transactions": "Total number of transactions created by local generated requests.",
    "tmx.2xx_transactions": "Total number of transactions completed with 2xx replies.",
    "tmx.3xx_transactions": "Total number of transactions completed with 3xx replies.",
    "tmx.4xx_transactions": "Total number of transactions completed with 4xx replies.",
    "tmx.5xx_transactions": "Total number of transactions completed with 5xx replies.",
    "tmx.6xx_transactions": "Total number of transactions completed with 6xx replies.",
    "tmx.inuse_transactions": "Number of transactions existing in memory at current time.",
    "tmx.active_transactions": "Number of ongoing transactions at current time.",
    "tmx.rpl_received": "Total number of replies received by TM module.",
    "tmx.rpl_absorbed": "Total number of replies received and not relayed by TM module.",
    "tmx.rpl_relayed": "Total number of replies received and relayed by TM module.",
    "tmx.rpl_generated": "Total number of replies locally generated and relayed by TM module.",
    "tmx.rpl_sent": "Total number of replies relayed by TM module.",
})
