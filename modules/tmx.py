"""Kamailio's `tmx` module: TM extensions: transaction PVs and helpers.

Implemented on top of tm's engine (modules/tm): t_cancel_callid, t_reply_callid,
t_precheck_trans, the t_is_*_route tests and the PVs $T_reply_code, $T_reply_reason,
$T_branch_idx, $T_req(pv), $T_rpl(pv).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from siprouter.core.cfg.pvsyntax import PVRef
from siprouter.core.exports import ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import PVError, PVIndex, compile_pv, register_pv_class
from siprouter.core.runtime.values import Value, to_int, to_str

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


# --- implementations -------------------------------------------------------------------------


def _implement(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def attach(impl: Callable[..., Any]) -> Callable[..., Any]:
        spec = exports.functions[name]
        exports.functions[name] = dataclasses.replace(spec, impl=impl)
        return impl

    return attach


def _tm() -> Any:
    from siprouter.modules import tm  # tmx needs tm loaded, as in Kamailio

    return tm


@_implement("t_cancel_callid")
def t_cancel_callid(ctx: Context, callid: Value, cseq: Value, flag: Value,
                    rcode: Value = None) -> int:
    """CANCEL the branches of the INVITE transaction with this Call-ID and CSeq number; the
    caller gets 487 (or `rcode`) when every branch has ended."""
    engine_mod = _tm().engine
    engine = engine_mod.engine_of(ctx)
    if engine is None:
        return -1
    text = to_str(cseq).strip().split(" ")[0]
    args = [to_str(callid).strip(), int(text) if text.isdigit() else None,
            to_int(flag) if to_str(flag) != "" else 0,
            to_int(rcode) if rcode is not None and to_str(rcode) != "" else None]
    if engine.cancel_callid(*args) > 0:
        return 1
    # The call may belong to another worker (the message asking is routed by its own
    # Call-ID): Kamailio's table is shared, ours is asked worker by worker.
    return engine.ask_peers("t_cancel_callid", args) if engine.ask_peers is not None else -1


@_implement("t_reply_callid")
def t_reply_callid(ctx: Context, callid: Value, cseq: Value, code: Value,
                   reason: Value) -> int:
    """Reply in the INVITE transaction with this Call-ID and CSeq number (asking the other
    workers when it is not in this one, as t_cancel_callid does)."""
    engine = _tm().engine.engine_of(ctx)
    if engine is None:
        return -1
    text = to_str(cseq).strip().split(" ")[0]
    args = [to_str(callid).strip(), int(text) if text.isdigit() else None, to_int(code),
            to_str(reason)]
    if engine.reply_callid(*args) > 0:
        return 1
    return engine.ask_peers("t_reply_callid", args) if engine.ask_peers is not None else -1


def _route_is(kind: RouteType) -> Callable[[Context], int]:
    def check(ctx: Context) -> int:
        return 1 if ctx.route_type & kind else -1

    return check


_implement("t_is_failure_route")(_route_is(RouteType.FAILURE))
_implement("t_is_branch_route")(_route_is(RouteType.BRANCH))
_implement("t_is_reply_route")(_route_is(RouteType.ONREPLY))
_implement("t_is_request_route")(_route_is(RouteType.REQUEST))


@_implement("t_flush_flags")
def t_flush_flags(ctx: Context) -> int:
    """Copy the message flags into the transaction."""
    tm = _tm().engine.current(ctx)
    if tm is None:
        return -1
    tm.flags = ctx.flags
    return 1


@_implement("t_precheck_trans")
def t_precheck_trans(ctx: Context) -> int:
    """Is this request (not an ACK or CANCEL) being run by another process right now?

    Kamailio keeps, per process, the request that process is running, so that a UDP
    retransmission arriving in a second process before the first one made the transaction is
    spotted. siprouter needs no such table: every UDP request of a Call-ID is run by the worker
    that owns the Call-ID (tm's hand-over, modules/tm/workers.py), one message at a time, and a
    stream connection's requests stay in the worker holding it. So the original and its
    retransmission never run at once: the answer is false, and the retransmission is handled by
    t_check_trans() as soon as the transaction exists (with precheck_trans 0 Kamailio answers
    false too).
    """
    return -1


# --- pseudo-variables ---------------------------------------------------------------------------


def _current(ctx: Context) -> Any:
    return _tm().engine.current(ctx)


def _reply_code(ref: PVRef, index: PVIndex) -> tuple[Callable[[Context], Value], None]:
    def get(ctx: Context) -> Value:
        tm = _current(ctx)
        if tm is None:
            return -1
        msg = ctx.msg
        code = getattr(msg, "status_code", None) if ctx.route_type & RouteType.ONREPLY else None
        return code or tm.reply_code or tm.final_code or -1

    return get, None


def _reply_reason(ref: PVRef, index: PVIndex) -> tuple[Callable[[Context], Value], None]:
    def get(ctx: Context) -> Value:
        tm = _current(ctx)
        if tm is None or not 0 <= tm.branch_index < len(tm.branches):
            return None
        return tm.branches[tm.branch_index].final_reason or None

    return get, None


def _branch_idx(ref: PVRef, index: PVIndex) -> tuple[Callable[[Context], Value], None]:
    def get(ctx: Context) -> Value:
        tm = _current(ctx)
        return tm.branch_index if tm is not None else 0

    return get, None


def _over(which: str) -> Callable[[PVRef, PVIndex], tuple[Callable[[Context], Value], None]]:
    """$T_req(pv) / $T_rpl(pv): `pv` read over the transaction's request or winning reply."""

    def factory(ref: PVRef, index: PVIndex) -> tuple[Callable[[Context], Value], None]:
        inner = (ref.inner or "").strip()
        if not inner.startswith("$"):
            raise PVError(f"$T_{which}({inner}): expected a pseudo-variable")
        access = compile_pv(inner)

        def get(ctx: Context) -> Value:
            tm = _current(ctx)
            if tm is None:
                return None
            msg = tm.request if which == "req" else tm.reply
            if msg is None:
                return None
            return access.get(Context(msg, route_type=ctx.route_type, worker=ctx.worker,
                                      sip=ctx.sip))

        return get, None

    return factory


register_pv_class("T_reply_code", _reply_code)
register_pv_class("T_reply_reason", _reply_reason)
register_pv_class("T_branch_idx", _branch_idx)
register_pv_class("T_req", _over("req"))
register_pv_class("T_rpl", _over("rpl"))
