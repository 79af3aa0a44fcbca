"""tm's script functions: implementations attached to the declarations (declarations.py).

Each returns Kamailio's action code: >0 true, <0 false, 0 stops the script (a retransmission
that was handled). None raises into the script; a call where it makes no sense logs one line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from siprouter.core.exports import RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.values import ExprError, Value, compile_regex, to_int, to_str
from siprouter.core.shared import counters
from siprouter.core.sip import SIPError, SIPRequest, SIPResponse

from .declarations import exports
from .engine import TmEngine, current, engine_of
from .state import TmTransaction


def implement(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach `impl` to the function declared as `name` (its declaration stays as it is)."""

    def attach(impl: Callable[..., Any]) -> Callable[..., Any]:
        spec = exports.functions[name]
        exports.functions[name] = dataclasses.replace(spec, impl=impl,
                                                      doc=spec.doc or impl.__doc__ or "")
        return impl

    return attach


def _engine(ctx: Context, what: str) -> TmEngine | None:
    engine = engine_of(ctx)
    if engine is None:
        ctx.log.error("%s: tm is not running in this process", what)
    return engine


def _request(ctx: Context, what: str) -> tuple[TmEngine, SIPRequest] | None:
    engine = vars(ctx.worker).get("tm_engine")  # engine_of(ctx), inlined: every t_relay
    msg = ctx.msg
    if isinstance(engine, TmEngine) and isinstance(msg, SIPRequest) and ctx.sip is not None:
        return engine, msg
    engine = _engine(ctx, what)
    if engine is None:
        return None
    if not isinstance(ctx.msg, SIPRequest) or ctx.sip is None:
        ctx.log.error("%s: not a request", what)
        return None
    return engine, ctx.msg


# Attributes a script may arm before the transaction exists; applied when it is created.
_ARMED = "tm_armed"


def _armed(ctx: Context) -> dict[str, Any]:
    assert ctx.sip is not None
    return vars(ctx.sip).setdefault(_ARMED, {})


def _set(ctx: Context, attr: str, value: Any) -> int:
    sip = ctx.sip
    if sip is None:
        return -1
    sip_vars = vars(sip)
    tm = sip_vars.get("tm")  # current(ctx), inlined
    if isinstance(tm, TmTransaction):
        setattr(tm, attr, value)
    else:
        sip_vars.setdefault(_ARMED, {})[attr] = value  # _armed(ctx)
    return 1


def _transaction(ctx: Context, engine: TmEngine) -> TmTransaction | int:
    """The transaction of the request, created when missing, with what the script armed."""
    got = engine.new_transaction(ctx)
    if isinstance(got, TmTransaction) and ctx.sip is not None:
        armed = vars(ctx.sip).pop(_ARMED, None)
        if armed:
            for attr, value in armed.items():
                setattr(got, attr, value)
    return got


# --- transactions -----------------------------------------------------------------------------


@implement("t_newtran")
def t_newtran(ctx: Context) -> int:
    """Create the transaction of this request (0: it is a retransmission, already handled)."""
    found = _request(ctx, "t_newtran")
    if found is None:
        return -1
    got = _transaction(ctx, found[0])
    return got if isinstance(got, int) else 1


@implement("t_check_trans")
def t_check_trans(ctx: Context) -> int:
    """Is the message part of a known transaction? A retransmission gets the last reply again
    and the script stops (0); an ACK of a negative reply of ours is absorbed (0); an ACK of a
    2xx that matches the INVITE's transaction (e2e ACK) is true; a CANCEL is true when the
    INVITE it cancels is ours."""
    sip = ctx.sip
    if sip is not None and isinstance(vars(sip).get("tm"), TmTransaction):  # current(ctx)
        return 1
    engine = vars(ctx.worker).get("tm_engine")  # engine_of(ctx)
    msg = ctx.msg
    if not isinstance(engine, TmEngine) or not isinstance(msg, SIPRequest):
        return -1
    stx = engine.lookup(msg)
    if msg.method == "CANCEL":
        if stx is not None:
            engine.retransmission(stx, msg)
            return 0
        try:
            return 1 if engine.table.find_cancelled(msg) is not None else -1
        except SIPError:
            return -1
    if stx is None:
        return -1
    if msg.method == "ACK" and engine.acks_2xx(stx):
        return 1  # an e2e ACK: true while its INVITE transaction lives, the script goes on
    engine.retransmission(stx, msg)
    return 0


@implement("t_lookup_request")
def t_lookup_request(ctx: Context) -> int:
    """True when the request belongs to a transaction (nothing is resent)."""
    engine = engine_of(ctx)
    msg = ctx.msg
    if engine is None or not isinstance(msg, SIPRequest):
        return -1
    return 1 if current(ctx) is not None or engine.lookup(msg) is not None else -1


@implement("t_lookup_cancel")
def t_lookup_cancel(ctx: Context, _flag: Value = None) -> int:
    """True when this CANCEL refers to one of our INVITE transactions."""
    engine = engine_of(ctx)
    msg = ctx.msg
    if engine is None or not isinstance(msg, SIPRequest) or msg.method != "CANCEL":
        return -1
    try:
        return 1 if engine.table.find_cancelled(msg) is not None else -1
    except SIPError:
        return -1


def _reply(ctx: Context, code: Value, reason: Value, what: str) -> int:
    engine = _engine(ctx, what)
    if engine is None:
        return -1
    status = to_int(code)
    if not 100 <= status <= 699:
        ctx.log.error("%s: bad status code %s", what, to_str(code))
        return -1
    tm = current(ctx)
    if tm is None:
        if not isinstance(ctx.msg, SIPRequest) or ctx.msg.method == "ACK":
            ctx.log.error("%s: no transaction to reply in", what)
            return -1
        got = _transaction(ctx, engine)
        if isinstance(got, int):
            return got
        tm = got
    if ctx.sip is not None and ctx.sip.reply_no_connect:
        tm.reply_no_connect = True  # set_reply_no_connect() after the transaction was made
    marks = ctx.sip.marks if ctx.sip is not None else None
    headers = list(marks.reply_headers) if marks is not None else []
    if not engine.send_local(tm, status, to_str(reason), headers):
        ctx.log.error("%s: could not send the %d reply", what, status)
        return -1
    if ctx.sip is not None:
        ctx.sip.replied = True
    return 1


@implement("t_reply")
def t_reply(ctx: Context, code: Value, reason: Value) -> int:
    """Reply statefully (the transaction is created when the request has none yet)."""
    return _reply(ctx, code, reason, "t_reply")


@implement("t_send_reply")
def t_send_reply(ctx: Context, code: Value, reason: Value) -> int:
    """Create the transaction if needed and reply statefully."""
    return _reply(ctx, code, reason, "t_send_reply")


@implement("t_retransmit_reply")
def t_retransmit_reply(ctx: Context) -> int:
    """Send the last reply of the transaction again."""
    tm = current(ctx)
    engine = engine_of(ctx)
    if tm is None or engine is None or tm.server.last_response is None:
        return -1
    to = tm.reply_to
    sent = engine.transports.send(to.proto, to.host, to.port, tm.server.last_response.data,
                                  tm.rcv.socket, no_connect=tm.reply_no_connect)
    return 1 if sent else -1


@implement("t_release")
def t_release(ctx: Context) -> int:
    """Kept for configs that call it: transactions end by their own timers here."""
    return 1 if current(ctx) is not None else -1


# --- relaying ---------------------------------------------------------------------------------


def _relay(ctx: Context, what: str, proto: str | None, host: Value, port: Value) -> int:
    found = _request(ctx, what)
    if found is None:
        return -1
    engine, msg = found
    if host is None and port is None:  # t_relay(): $du / the R-URI
        h = p = None
    else:
        h = to_str(host) if host is not None and to_str(host) != "" else None
        p = to_int(port) if port is not None and to_str(port) != "" else None
    if msg.method == "ACK":
        if h is None and proto is None:
            return engine.relay_ack(ctx)
        return engine.forwarder.forward(ctx, proto, h, p)
    if msg.method == "CANCEL" and current(ctx) is None:
        try:
            invite = engine.table.find_cancelled(msg)
        except SIPError:
            invite = None
        stx = engine.lookup(msg)
        if stx is not None:
            engine.retransmission(stx, msg)
            return 0
        if invite is not None:
            return engine.cancel_received(ctx, invite)
        return engine.forwarder.forward(ctx, proto, h, p)  # not ours: statelessly
    got = _transaction(ctx, engine)
    if isinstance(got, int):
        return got
    return engine.relay(ctx, got, proto, h, p)


@implement("t_relay")
def t_relay(ctx: Context, host: Value = None, port: Value = None) -> int:
    """Relay statefully to host:port, or to $du / the R-URI and every appended branch."""
    return _relay(ctx, "t_relay", None, host, port)


@implement("t_relay_to_udp")
def t_relay_to_udp(ctx: Context, host: Value = None, port: Value = None) -> int:
    """t_relay over UDP."""
    return _relay(ctx, "t_relay_to_udp", "udp", host, port)


@implement("t_relay_to_tcp")
def t_relay_to_tcp(ctx: Context, host: Value = None, port: Value = None) -> int:
    """t_relay over TCP."""
    return _relay(ctx, "t_relay_to_tcp", "tcp", host, port)


@implement("t_relay_to_tls")
def t_relay_to_tls(ctx: Context, host: Value = None, port: Value = None) -> int:
    """t_relay over TLS."""
    return _relay(ctx, "t_relay_to_tls", "tls", host, port)


@implement("t_relay_cancel")
def t_relay_cancel(ctx: Context) -> int:
    """A CANCEL of one of our INVITEs: answered and sent on every branch (0: done, stop);
    true when there is no such INVITE (the script decides)."""
    engine = engine_of(ctx)
    msg = ctx.msg
    if engine is None or not isinstance(msg, SIPRequest) or msg.method != "CANCEL":
        return -1
    try:
        invite = engine.table.find_cancelled(msg)
    except SIPError:
        return -1
    if invite is None:
        return 1
    engine.cancel_received(ctx, invite)
    return 0


# --- routes armed by the script -------------------------------------------------------------


@implement("t_on_reply")
def t_on_reply(ctx: Context, name: Value) -> int:
    """Run onreply_route[name] for each reply of the transaction's branches."""
    return _set(ctx, "on_reply", f"onreply_route:{to_str(name)}")


@implement("t_on_failure")
def t_on_failure(ctx: Context, name: Value) -> int:
    """Run failure_route[name] once when the transaction's best answer is negative."""
    return _set(ctx, "on_failure", f"failure_route:{to_str(name)}")


@implement("t_on_branch")
def t_on_branch(ctx: Context, name: Value) -> int:
    """Run branch_route[name] for each branch t_relay sends."""
    return _set(ctx, "on_branch", f"branch_route:{to_str(name)}")


@implement("t_on_branch_failure")
def t_on_branch_failure(ctx: Context, name: Value) -> int:
    """Run event_route[tm:branch-failure:name] on each negative final answer of a branch."""
    return _set(ctx, "on_branch_failure", to_str(name))


@implement("t_set_fr")
def t_set_fr(ctx: Context, inv: Value, noninv: Value = None) -> int:
    """fr_inv_timer and (when not 0) fr_timer of this transaction, in milliseconds."""
    fr_inv = to_int(inv)
    fr = to_int(noninv) if noninv is not None else 0
    if fr_inv < 0 or fr < 0:
        return -1
    ret = _set(ctx, "fr_inv", fr_inv / 1000) if fr_inv else 1
    if fr:
        ret = _set(ctx, "fr", fr / 1000)
    return ret


@implement("t_reset_fr")
def t_reset_fr(ctx: Context) -> int:
    """Back to the modparam timers for this transaction."""
    _set(ctx, "fr", None)
    return _set(ctx, "fr_inv", None)


@implement("t_set_no_e2e_cancel_reason")
def t_set_no_e2e_cancel_reason(ctx: Context, flag: Value) -> int:
    """1: the CANCELs this transaction sends do not copy the received CANCEL's Reason."""
    return _set(ctx, "no_e2e_cancel_reason", bool(to_int(flag)))


@implement("t_disable_e2e_cancel_reason")
def t_disable_e2e_cancel_reason(ctx: Context, flag: Value) -> int:
    """Alias of t_set_no_e2e_cancel_reason()."""
    return t_set_no_e2e_cancel_reason(ctx, flag)


# --- questions -----------------------------------------------------------------------------------

# t_is_set() targets and the attribute each reads (the route t_on_* armed).
_IS_SET_TARGETS = {"branch_route": "on_branch", "failure_route": "on_failure",
                   "onreply_route": "on_reply"}


@implement("t_is_set")
def t_is_set(ctx: Context, target: Value) -> int:
    """Is a branch_route, failure_route or onreply_route armed (t_on_branch, t_on_failure,
    t_on_reply) for the transaction, or for the request when it has none yet? As in
    Kamailio, a failure_route that ran is no longer armed unless the script armed it again."""
    name = to_str(target).strip()
    attr = _IS_SET_TARGETS.get(name)
    if attr is None:
        ctx.log.error("t_is_set: unknown target %r (branch_route, failure_route or "
                      "onreply_route)", name)
        return -1
    tm = current(ctx)
    if tm is not None:
        armed = getattr(tm, attr)
    elif ctx.sip is not None:
        armed = vars(ctx.sip).get(_ARMED, {}).get(attr)
    else:
        return -1
    return 1 if armed else -1



def _status(ctx: Context) -> int:
    msg = ctx.msg
    if isinstance(msg, SIPResponse):
        return msg.status_code
    tm = current(ctx)
    if tm is None:
        return -1
    if ctx.route_type & (RouteType.FAILURE | RouteType.BRANCH_FAILURE):
        return tm.reply_code
    return tm.final_code or tm.reply_code or -1


@implement("t_check_status")
def t_check_status(ctx: Context, regex: Value) -> int:
    """Does the status of the reply being handled (or the transaction's) match `regex`?"""
    code = _status(ctx)
    if code < 0:
        return -1
    try:
        pattern = compile_regex(to_str(regex))
    except ExprError as exc:
        ctx.log.error("t_check_status: %s", exc)
        return -1
    return 1 if pattern.search(str(code)) else -1


@implement("t_get_status_code")
def t_get_status_code(ctx: Context) -> int:
    """The status of the reply being handled or the transaction's best one (-1: none)."""
    return _status(ctx)


@implement("t_is_canceled")
def t_is_canceled(ctx: Context) -> int:
    """Was the transaction cancelled by the caller?"""
    tm = current(ctx)
    return 1 if tm is not None and tm.canceled else -1


exports.function("t_was_cancelled", args=0, routes=RouteType.ANY,
                 doc="Alias of t_is_canceled() (Kamailio 3.x name).")(t_is_canceled)


@implement("t_any_timeout")
def t_any_timeout(ctx: Context) -> int:
    """Did any branch time out?"""
    tm = current(ctx)
    return 1 if tm is not None and any(b.timed_out for b in tm.branches) else -1


@implement("t_any_replied")
def t_any_replied(ctx: Context) -> int:
    """Did any branch get a reply?"""
    tm = current(ctx)
    return 1 if tm is not None and any(b.replied for b in tm.branches) else -1


def _this_branch(ctx: Context) -> Any:
    tm = current(ctx)
    if tm is None or not 0 <= tm.branch_index < len(tm.branches):
        return None
    return tm.branches[tm.branch_index]


@implement("t_branch_timeout")
def t_branch_timeout(ctx: Context) -> int:
    """Did the branch failure_route runs for time out?"""
    branch = _this_branch(ctx)
    return 1 if branch is not None and branch.timed_out else -1


@implement("t_branch_replied")
def t_branch_replied(ctx: Context) -> int:
    """Did the branch failure_route runs for get a reply?"""
    branch = _this_branch(ctx)
    return 1 if branch is not None and branch.final is not None or \
        branch is not None and branch.provisional else -1


@implement("t_grep_status")
def t_grep_status(ctx: Context, code: Value) -> int:
    """Did some branch end with `code`?"""
    tm = current(ctx)
    want = to_int(code)
    return 1 if tm is not None and any(b.final_code == want for b in tm.branches) else -1


# --- RPC -------------------------------------------------------------------------------------------


def _count(name: str) -> int:
    try:
        return counters.COUNTERS.handle("tm", name).get()
    except counters.CounterError:
        return 0


@exports.rpc("tm.stats", "Gets information about current and past TM transaction handling.")
def tm_stats(ctx: Any = None) -> dict[str, int]:
    """Transactions now and since start, replies, and finals by class (Kamailio's fields)."""
    out = {"current": _count("current"), "waiting": 0, "total": _count("total"),
           "total_local": _count("total_local"), "rpl_received": _count("rpl_received"),
           "rpl_generated": _count("rpl_generated"), "rpl_sent": _count("rpl_sent")}
    for cls in range(6, 1, -1):
        out[f"{cls}xx"] = _count(f"{cls}xx")
    out["retransmissions"] = _count("retransmissions")
    return out
