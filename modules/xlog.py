"""Kamailio's `xlog` module: formatted logging with pseudo-variables.

The format is compiled once (the compiler expands PVs in format arguments); each call logs one
line through the context's logger (`siprouter.script` by default), prefixed with the `prefix`
parameter ("<script>: "), one trailing newline dropped. Levels are Kamailio's: L_ALERT (-5) ..
L_DBG (3), a number, or a PV holding one; for a name only the third letter matters, as in
Kamailio. The facility argument of xlog(facility, level, fmt) is accepted and not used.
"""

from __future__ import annotations

from dataclasses import dataclass

from siprouter.core.cfg.source import Span
from siprouter.core.exports import ModuleExports, RouteType
from siprouter.core.loglevels import (
    L_ALERT,
    L_BUG,
    L_CRIT2,
    L_DBG,
    L_ERR,
    L_INFO,
    L_NOTICE,
    L_WARN,
    python_level,
)
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.fixups import Arg, Const, Specialized, specializes
from siprouter.core.runtime.sip_pvs import message
from siprouter.core.runtime.values import Value, str_to_int, to_str
from siprouter.core.sip import SIPRequest

exports = ModuleExports("xlog", doc="Formatted logging with pseudo-variables")

# Parameters
exports.param("buf_size", int, 4096, doc="Maximum size of the log message.")
exports.param("force_color", int, 0, doc="When set to 1, forces color codes in log messages even if log_stderror is set to 0.")
exports.param("long_format", int, 0, doc="When set to 1, outputs the configuration file name in xlogl() and xdbgl() before the line...")
exports.param("prefix", str, "<script>:", doc="Prefix to be output before the log message.")
exports.param("log_facility", str, None, doc="Syslog facility to be used for the xlog output.")
exports.param("log_colors", str, None, multi=True, doc="Update terminal colors used by the Kamailio core for log levels (when log_stderr=1 and...")
exports.param("methods_filter", int, -1, runtime=True, doc="The bitmask with internal SIP method ids to be ignored by xlogm() function.")
exports.param("prefix_mode", int, 0, doc="control behaviour of prefix value.")

# Functions (the fixed-level ones get their implementation below)
exports.function("xdbg", args=1, routes=RouteType.ANY, doc="Print a formatted message using DBG function.")
exports.function("xinfo", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_INFO level.")
exports.function("xnotice", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_NOTICE level.")
exports.function("xwarn", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_WARN level.")
exports.function("xerr", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_ERR level.")
exports.function("xbug", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_BUG level.")
exports.function("xcrit", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_CRIT level.")
exports.function("xalert", args=1, routes=RouteType.ANY, doc="Print a formatted log message at L_ALERT level.")

# Pseudo-variables
exports.pv("C", inner=True, doc="terminal color escape ($C(xy): foreground, background)")


@dataclass
class XlogSettings:
    """The module parameters (the server applies modparam values here)."""

    prefix: str = "<script>: "
    methods_filter: int = -1
    long_format: int = 0


settings = XlogSettings()
exports.settings = settings

# Third letter of the level name -> level (L_ALERT, L_BUG, L_CRIT, L_ERR ...).
_BY_LETTER = {"A": L_ALERT, "B": L_BUG, "C": L_CRIT2, "E": L_ERR, "W": L_WARN, "N": L_NOTICE,
              "I": L_INFO, "D": L_DBG}


def kamailio_level(v: Value) -> int:
    """A level given as a name (L_INFO: its third letter decides), a number or a numeric PV."""
    if isinstance(v, int):
        return v
    text = to_str(v).strip()
    if text.lstrip("-").isdigit():
        return str_to_int(text)
    if len(text) >= 3 and text[2].upper() in _BY_LETTER:
        return _BY_LETTER[text[2].upper()]
    return L_ERR


def emit(ctx: Context, level: Value, text: Value, span: Span | None = None) -> int:
    """Log `text` at `level`; with `span`, the cfg line (and file with long_format) first."""
    line = to_str(text)
    if line.endswith("\n"):
        line = line[:-1]
    if span is not None:
        where = f"{span.file}:{span.line}" if settings.long_format else str(span.line)
        line = f"{where}:{line}"
    ctx.log.log(python_level(kamailio_level(level)), "%s%s", settings.prefix, line)
    return 1


def _split(args: tuple[Value, ...]) -> tuple[Value, Value]:
    """(level, format) of xlog's 1, 2 or 3 arguments."""
    if len(args) == 1:
        return L_ERR, args[0]
    return args[-2], args[-1]


@exports.function("xlog", formats=(0, 1, 2), args=(1, 2, 3), routes=RouteType.ANY, doc="Output a formatted log message.")
def xlog(ctx: Context, *args: Value) -> int:
    """xlog([[facility,] level,] format): log at the level (L_ERR when omitted)."""
    level, text = _split(args)
    return emit(ctx, level, text)


def _when_enabled(level: Value, text: Arg) -> Specialized:
    """A log call at a constant level: the format is expanded only when the level is on
    (Kamailio's xlog tests is_printable() first too)."""
    pylevel = python_level(kamailio_level(level))
    if isinstance(text, Const):
        const = text.value

        def log_const(ctx: Context) -> int:
            if ctx.log.isEnabledFor(pylevel):
                emit(ctx, level, const)
            return 1

        return log_const
    get = text

    def log_formatted(ctx: Context) -> int:
        if ctx.log.isEnabledFor(pylevel):
            emit(ctx, level, get(ctx))
        return 1

    return log_formatted


@specializes(xlog)
def _xlog_fixed(args: tuple[Arg, ...]) -> Specialized | None:
    """xlog() whose level (and facility) are constants."""
    if len(args) == 1:
        return _when_enabled(L_ERR, args[0])
    if not all(isinstance(a, Const) for a in args[:-1]):
        return None
    level = args[-2]
    assert isinstance(level, Const)
    return _when_enabled(level.value, args[-1])


@exports.function("xlogl", formats=(0, 1, 2), wants_span=True, args=(1, 2, 3), routes=RouteType.ANY, doc="Similar to xlog(), in addition prints configuration file line number at the beginning of...")
def xlogl(ctx: Context, *args: Value, span: Span | None = None) -> int:
    """xlog() with the cfg line of the call first (when the caller passes its span)."""
    level, text = _split(args)
    return emit(ctx, level, text, span)


@exports.function("xdbgl", formats=(0,), wants_span=True, args=1, routes=RouteType.ANY, doc="Similar to xdbg(), in addition prints configuration file line number at the beginning of...")
def xdbgl(ctx: Context, text: Value, span: Span | None = None) -> int:
    """xdbg() with the cfg line of the call first (when the caller passes its span)."""
    return emit(ctx, L_DBG, text, span)


def _fixed(name: str, level: int) -> None:
    def log_at(ctx: Context, text: Value) -> int:
        return emit(ctx, level, text)

    log_at.__name__ = name
    log_at.__doc__ = f"Log the formatted message at level {level}."
    specializes(log_at)(lambda args: _when_enabled(level, args[0]))
    spec = exports.functions[name]
    exports.function(name, args=spec.arities, routes=spec.routes, doc=spec.doc,
                     formats=(0,))(log_at)


for _name, _level in (("xdbg", L_DBG), ("xinfo", L_INFO), ("xnotice", L_NOTICE),
                      ("xwarn", L_WARN), ("xerr", L_ERR), ("xbug", L_BUG), ("xcrit", L_CRIT2),
                      ("xalert", L_ALERT)):
    _fixed(_name, _level)


@exports.function("xlogm", formats=(0, 1), args=2, routes=RouteType.ANY, doc="Similar to xlog(level, format), but skips writing the log messages for SIP requests and...")
def xlogm(ctx: Context, level: Value, text: Value) -> int:
    """xlog(level, format) that skips the methods in the methods_filter bitmask."""
    msg = message(ctx)
    if isinstance(msg, SIPRequest) and settings.methods_filter != -1:
        bit = _METHOD_BITS.get(msg.method.upper())
        if bit is not None and settings.methods_filter & bit:
            return 1
    return emit(ctx, level, text)


# Kamailio's METHOD_* bits, as methods_filter uses them.
_METHOD_BITS = {"INVITE": 1, "CANCEL": 2, "ACK": 4, "BYE": 8, "INFO": 16, "REGISTER": 32,
                "SUBSCRIBE": 64, "NOTIFY": 128, "MESSAGE": 256, "OPTIONS": 512, "PRACK": 1024,
                "UPDATE": 2048, "REFER": 4096, "PUBLISH": 8192}
