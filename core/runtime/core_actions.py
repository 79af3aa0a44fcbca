"""Implementations of the core script functions that need no SIP message.

`setflag`/`resetflag`/`isflagset` (message flags 0..31), `setbflag`/`resetbflag`/`isbflagset`
(branch flags of branch 0; other branches need the SIP layer), `log` and `error`.

The declarations (names, argument counts, route types) live in core_exports.py (kex for the
bflag functions); the compiler falls back to this table for a declared function that has no
implementation attached, so the declarations stay in one place and this file stays pure code.
Each implementation takes the context and the evaluated arguments and returns Kamailio's
action code: >0 true, <0 false (0 would stop the script).
"""

from __future__ import annotations

from collections.abc import Callable

from siprouter.core.loglevels import python_level

from .context import Context
from .fixups import Arg, Const, Specialized, specializes
from .values import ExprError, Value, to_int, to_str

MAX_FLAG = 31

_LOG_NAMES = {"L_ALERT": -5, "L_BUG": -4, "L_CRIT": -2, "L_ERR": -1, "L_WARN": 0,
              "L_NOTICE": 1, "L_INFO": 2, "L_DBG": 3}
_DEFAULT_LOG_LEVEL = 4  # log(text) logs at L_DBG+1 in Kamailio: below debug


def _flag(ctx: Context, v: Value, what: str) -> int | None:
    flag = to_int(v)
    if not 0 <= flag <= MAX_FLAG:
        ctx.log.error("%s: flag %s out of range 0..%d", what, to_str(v), MAX_FLAG)
        return None
    return flag


def setflag(ctx: Context, flag: Value) -> int:
    f = _flag(ctx, flag, "setflag")
    if f is None:
        return -1
    ctx.flags |= 1 << f
    return 1


def resetflag(ctx: Context, flag: Value) -> int:
    f = _flag(ctx, flag, "resetflag")
    if f is None:
        return -1
    ctx.flags &= ~(1 << f)
    return 1


def isflagset(ctx: Context, flag: Value) -> int:
    f = _flag(ctx, flag, "isflagset")
    if f is None:
        return -1
    return 1 if ctx.flags & (1 << f) else -1


def _branch0(ctx: Context, branch: Value, what: str) -> bool:
    if to_int(branch) != 0:
        ctx.log.error("%s: only branch 0 is available without the SIP layer", what)
        return False
    return True


def setbflag(ctx: Context, flag: Value, branch: Value = 0) -> int:
    f = _flag(ctx, flag, "setbflag")
    if f is None or not _branch0(ctx, branch, "setbflag"):
        return -1
    ctx.bflags |= 1 << f
    return 1


def resetbflag(ctx: Context, flag: Value, branch: Value = 0) -> int:
    f = _flag(ctx, flag, "resetbflag")
    if f is None or not _branch0(ctx, branch, "resetbflag"):
        return -1
    ctx.bflags &= ~(1 << f)
    return 1


def isbflagset(ctx: Context, flag: Value, branch: Value = 0) -> int:
    f = _flag(ctx, flag, "isbflagset")
    if f is None or not _branch0(ctx, branch, "isbflagset"):
        return -1
    return 1 if ctx.bflags & (1 << f) else -1


def log(ctx: Context, *args: Value) -> int:
    """log(text) or log(level, text); level is a number or a name such as L_INFO."""
    if len(args) == 1:
        level, text = _DEFAULT_LOG_LEVEL, args[0]
    else:
        raw = args[0]
        level = _LOG_NAMES[raw] if isinstance(raw, str) and raw in _LOG_NAMES else to_int(raw)
        text = args[1]
    ctx.log.log(python_level(level), "%s", to_str(text))
    return 1


def error(ctx: Context, code: Value, text: Value) -> int:
    ctx.log.error("error(%s, %s)", to_str(code), to_str(text))
    return 1


CORE_IMPLS: dict[str, Callable[..., int]] = {
    "setflag": setflag, "resetflag": resetflag, "isflagset": isflagset,
    "setbflag": setbflag, "resetbflag": resetbflag, "isbflagset": isbflagset,
    "log": log, "error": error,
}


# --- sending actions: forward(), send(), force_send_socket() ... ------------------------------
# The work is done by the server's forwarder (`ctx.sip.forwarder`, core/server/forward.py),
# which owns the transports; these only read the arguments.

def _forwarder(ctx: Context, what: str) -> object | None:
    sip = ctx.sip
    if sip is None or sip.forwarder is None:
        ctx.log.error("%s: no SIP transport in this context", what)
        return None
    return sip.forwarder


def _forward_action(proto: str | None, what: str) -> Callable[..., int]:
    def action(ctx: Context, host: Value = None, port: Value = None) -> int:
        if _forwarder(ctx, what) is None:
            return -1
        assert ctx.sip is not None and ctx.sip.forwarder is not None
        h = to_str(host) if host is not None and to_str(host) != "" else None
        p = to_int(port) if port is not None and to_str(port) != "" else None
        return ctx.sip.forwarder.forward(ctx, proto, h, p)

    action.__doc__ = f"{what}([host[, port]]): forward statelessly (Kamailio core action)."

    @specializes(action)
    def fixed(args: tuple[Arg, ...]) -> Specialized | None:
        """`forward("10.0.0.1", 5070)`: host and port converted once."""
        if not all(isinstance(a, Const) for a in args):
            return None
        host, port = (list(a.value for a in args if isinstance(a, Const)) + [None, None])[:2]
        try:
            h = to_str(host) if host is not None and to_str(host) != "" else None
            p = to_int(port) if port is not None and to_str(port) != "" else None
        except ExprError:
            return None  # fails at each call, as written

        def forward_fixed(ctx: Context) -> int:
            sip = ctx.sip
            forwarder = None if sip is None else sip.forwarder
            if forwarder is None:
                ctx.log.error("%s: no SIP transport in this context", what)
                return -1
            return forwarder.forward(ctx, proto, h, p)

        return forward_fixed

    return action


def _send_action(proto: str, what: str) -> Callable[..., int]:
    def action(ctx: Context, host: Value = None, port: Value = None) -> int:
        if _forwarder(ctx, what) is None:
            return -1
        assert ctx.sip is not None and ctx.sip.forwarder is not None
        h = to_str(host) if host is not None and to_str(host) != "" else None
        p = to_int(port) if port is not None and to_str(port) != "" else None
        return ctx.sip.forwarder.send(ctx, proto, h, p)

    action.__doc__ = f"{what}(host[, port]): send the message as it is (Kamailio core action)."
    return action


def forward_sctp(ctx: Context, host: Value = None, port: Value = None) -> int:
    """SCTP is not supported: logs and fails."""
    ctx.log.error("forward_sctp: SCTP is not supported")
    return -1


def force_send_socket(ctx: Context, spec: Value) -> int:
    """force_send_socket([proto:]addr[:port]): send through this listening socket."""
    if _forwarder(ctx, "force_send_socket") is None:
        return -1
    assert ctx.sip is not None and ctx.sip.forwarder is not None
    sock = ctx.sip.forwarder.find_socket(to_str(spec))
    if sock is None:
        ctx.log.error("force_send_socket: %s is not one of our sockets", to_str(spec))
        return -1
    ctx.sip.force_socket = sock
    return 1


def set_forward_no_connect(ctx: Context) -> int:
    """Forward over TCP/TLS only on an existing connection."""
    if ctx.sip is None:
        return -1
    ctx.sip.forward_no_connect = True
    return 1


def set_reply_no_connect(ctx: Context) -> int:
    """The replies to this request go over TCP/TLS only on an existing connection: none is
    opened for them (Kamailio's SND_F_FORCE_CON_REUSE on the reply send flags)."""
    if ctx.sip is None:
        return -1
    ctx.sip.reply_no_connect = True
    return 1


CORE_IMPLS.update({
    "forward": _forward_action(None, "forward"),
    "forward_udp": _forward_action("udp", "forward_udp"),
    "forward_tcp": _forward_action("tcp", "forward_tcp"),
    "forward_tls": _forward_action("tls", "forward_tls"),
    "forward_sctp": forward_sctp,
    "send": _send_action("udp", "send"),
    "send_tcp": _send_action("tcp", "send_tcp"),
    "force_send_socket": force_send_socket,
    "set_forward_no_connect": set_forward_no_connect,
    "set_reply_no_connect": set_reply_no_connect,
})
