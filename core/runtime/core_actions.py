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

import logging
from collections.abc import Callable

from .context import Context
from .values import Value, to_int, to_str

MAX_FLAG = 31

# Kamailio log levels (L_ALERT .. L_DBG) -> Python logging levels.
_LOG_LEVELS = {-5: logging.CRITICAL, -4: logging.CRITICAL, -3: logging.CRITICAL,
               -2: logging.CRITICAL, -1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO,
               2: logging.INFO, 3: logging.DEBUG}
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
    py_level = _LOG_LEVELS.get(level, logging.DEBUG if level > 3 else logging.CRITICAL)
    ctx.log.log(py_level, "%s", to_str(text))
    return 1


def error(ctx: Context, code: Value, text: Value) -> int:
    ctx.log.error("error(%s, %s)", to_str(code), to_str(text))
    return 1


CORE_IMPLS: dict[str, Callable[..., int]] = {
    "setflag": setflag, "resetflag": resetflag, "isflagset": isflagset,
    "setbflag": setbflag, "resetbflag": resetbflag, "isbflagset": isbflagset,
    "log": log, "error": error,
}
