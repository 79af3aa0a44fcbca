"""Kamailio's `sl` module: stateless replies.

Replies are built and sent by the server's responder (core/server/responder.py) through
`ctx.sip.forwarder.reply`; To-tags are Kamailio-like (a fixed prefix shared by every worker and a
hash of the request), and an ACK for a stateless reply never reaches the script.
"""

from __future__ import annotations

from typing import Any

from siprouter.core.exports import REQ_FAIL_ONREPLY, ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.shared.counters import COUNTERS
from siprouter.core.sip import SIPError, SIPRequest, SIPResponse

exports = ModuleExports("sl", doc="Stateless replies")

# Parameters
exports.param("default_code", int, 500, doc="Default reply status code.")
exports.param("default_reason", str, "Internal Server Error", doc="Default reply reason phrase.")
exports.param("bind_tm", int, 1, doc="Controls if SL module should attempt to bind to TM module in order to send stateful reply...")
exports.param("rich_redirect", int, None, doc="When sending a 3xx class reply, include additional branch info to the contacts such as...")
exports.param("event_callback_fl_ack", str, None, doc="The name of the KEMI callback function to be executed instead of...")
exports.param("event_callback_lres_sent", str, None, doc="The name of the KEMI callback function to be executed instead of...")

# Functions
# Kamailio's reason when no internal error was recorded (error.c, E_UNSPEC).
_UNSPEC_REASON = "I'm terribly sorry, server error occurred"


def _script_reply_headers(ctx: Context) -> list[str]:
    """Header lines the script queued for the reply (textops append_to_reply)."""
    marks = ctx.sip.marks if ctx.sip is not None else None
    return list(marks.reply_headers) if marks is not None else []


def _reply(ctx: Context, code: Value, reason: Value, what: str) -> int:
    msg, sip = ctx.msg, ctx.sip
    if not isinstance(msg, SIPRequest) or sip is None or sip.forwarder is None:
        ctx.log.error("%s: no request to reply to", what)
        return -1
    if msg.method == "ACK":
        ctx.log.warning("%s: an ACK is never answered", what)
        return -1
    status = to_int(code)
    if not 100 <= status <= 699:
        ctx.log.error("%s: bad status code %s", what, to_str(code))
        return -1
    # Counted before sending: whoever gets the reply may ask sl.stats at once and must see it.
    _count_reply(status)
    if not sip.forwarder.reply(ctx, status, to_str(reason), _script_reply_headers(ctx)):
        ctx.log.error("%s: could not send the %d reply", what, status)
        _count_reply(status, -1)
        _count("failures")
        return -1
    return 1


# --- statistics (Kamailio's sl stats: one exact-code counter or else the class counter) --------

_EXACT = frozenset({200, 202, 300, 301, 302, 400, 401, 403, 404, 407, 408, 483, 500})


def _count(name: str, n: int = 1) -> None:
    # The counters exist once the server defined the loaded modules' declared counters.
    if COUNTERS.has("sl", name):
        COUNTERS.handle("sl", name).add(n)


def _count_reply(status: int, n: int = 1) -> None:
    _count("sent_replies", n)
    if status >= 300:
        _count("sent_err_replies", n)
    if status in _EXACT:
        _count(f"{status}_replies", n)
    elif 100 <= status < 700:
        _count(f"{status // 100}xx_replies", n)
    else:
        _count("xxx_replies", n)


@exports.function("sl_send_reply", formats=(0, 1), args=2, routes=RouteType.REQUEST, doc="For the current request, a reply is sent back having the given code and text reason.")
def sl_send_reply(ctx: Context, code: Value, reason: Value) -> int:
    """Reply statelessly with `code` and `reason`."""
    return _reply(ctx, code, reason, "sl_send_reply")


@exports.function("sl_reply", args=2, routes=RouteType.REQUEST, doc="Alias of sl_send_reply().")
def sl_reply(ctx: Context, code: Value, reason: Value) -> int:
    """Alias of sl_send_reply()."""
    return _reply(ctx, code, reason, "sl_reply")


@exports.function("send_reply", formats=(0, 1), args=2, routes=REQ_FAIL_ONREPLY, doc="For the current request, a reply is sent back having the given code and text reason.")
def send_reply(ctx: Context, code: Value, reason: Value) -> int:
    """Reply with `code` and `reason`: through the transaction when the request has one
    (t_newtran, t_relay, failure_route), as Kamailio's sl does with tm; else statelessly."""
    if ctx.sip is not None and vars(ctx.sip).get("tm") is not None:
        from siprouter.modules.tm.functions import t_reply  # only configs with tm get here

        return int(t_reply(ctx, code, reason))
    return _reply(ctx, code, reason, "send_reply")


exports.function("send_reply_mode", args=3, routes=REQ_FAIL_ONREPLY, doc="Similar to send_reply() function, with additional third parameter mode, which can specify...")


@exports.function("sl_reply_error", args=0, routes=RouteType.REQUEST, doc="Sends back an error reply describing the nature of the last internal error.")
def sl_reply_error(ctx: Context) -> int:
    """Reply with the status of the last internal error, as Kamailio words it:
    `<reason> (<status>/SL)`; 500 when no error was recorded."""
    sip = ctx.sip
    status = sip.error_status if sip is not None and sip.error_status else 500
    text = sip.error_reason if sip is not None and sip.error_reason else _UNSPEC_REASON
    return _reply(ctx, status, f"{text} ({status}/SL)", "sl_reply_error")


@exports.function("sl_forward_reply", args=(0, 1, 2), routes=RouteType.ONREPLY, doc="Forward statelessly the current received SIP reply, with the option to change the status...")
def sl_forward_reply(ctx: Context, code: Value = None, reason: Value = None) -> int:
    """Forward the reply upstream now, optionally with a new status in the same class."""
    msg, sip = ctx.msg, ctx.sip
    if not isinstance(msg, SIPResponse) or sip is None or sip.forwarder is None:
        ctx.log.error("sl_forward_reply: no reply to forward")
        return -1
    if code is not None and to_str(code) != "":
        status = to_int(code)
        if status // 100 != msg.status_code // 100:
            ctx.log.error("sl_forward_reply: %d is not in the class of %d", status,
                          msg.status_code)
            return -1
        try:
            msg.set_status(status, to_str(reason) if reason is not None else msg.reason)
        except SIPError as exc:
            ctx.log.error("sl_forward_reply: %s", exc)
            return -1
    return sip.forwarder.forward_reply(ctx)


# Pseudo-variables
exports.pv("ltt", inner=True, doc="local To-tag of a stateless (x) or stateful (t) reply")

# RPC commands
@exports.rpc("sl.stats", "Print reply statistics.", ())
def rpc_stats(ctx: Any) -> dict[str, int]:
    """Print reply statistics."""
    counters = ctx.server.counters
    return {code: counters.value("sl", f"{code}_replies") for code in SL_STATS_CODES}


# What sl.stats lists, as Kamailio's sl_stats.c does: the codes and classes without `_replies`.
SL_STATS_CODES = ("200", "202", "2xx", "300", "301", "302", "3xx", "400", "401", "403", "404",
                  "407", "408", "483", "4xx", "500", "5xx", "6xx", "xxx")

exports.event_routes = ("sl:filtered-ack", "sl:local-response")

exports.counters.update({
    "sl.1xx_replies": "Number of 1xx replies.",
    "sl.200_replies": "Number of 200 replies.",
    "sl.202_replies": "Number of 202 replies.",
    "sl.2xx_replies": "Number of 2xx replies.",
    "sl.300_replies": "Number of 300 replies.",
    "sl.301_replies": "Number of 301 replies.",
    "sl.302_replies": "Number of 302 replies.",
    "sl.3xx_replies": "Number of 3xx replies.",
    "sl.400_replies": "Number of 400 replies.",
    "sl.401_replies": "Number of 401 replies.",
    "sl.403_replies": "Number of 403 replies.",
    "sl.404_replies": "Number of 404 replies.",
    "sl.407_replies": "Number of 407 replies.",
    "sl.408_replies": "Number of 408 replies.",
    "sl.483_replies": "Number of 483 replies.",
    "sl.4xx_replies": "Number of 4xx replies.",
    "sl.500_replies": "Number of 500 replies.",
    "sl.5xx_replies": "Number of 5xx replies.",
    "sl.6xx_replies": "Number of 6xx replies.",
    "sl.xxx_replies": "Number of replies whose code don't match any above.",
    "sl.sent_replies": "Number of all sent replies.",
    "sl.sent_err_replies": "Number of sent error replies.",
    "sl.failures": "Number of failures.",
    "sl.received_ACKs": "Number of received ACKs filtered by SL module.",
})
