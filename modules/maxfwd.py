"""Kamailio's `maxfwd` module: Max-Forwards header processing.

`mf_process_maxfwd_header(max)` (also `maxfwd_process`, `process_maxfwd`) counts one hop: it adds
`Max-Forwards: max` when the header is absent (2), decrements it (1), or returns -1 when it is 0
so the script answers 483; -2 when the header does not parse. A value above the `max_limit`
parameter is lowered to it first. `is_maxfwd_lt(n)` (`maxfwd_at_least`, `mf_lowlimit`) tests the
value as it will be sent (after our decrement or addition).
"""

from __future__ import annotations

from dataclasses import dataclass

from siprouter.core.exports import REQ_FAIL_BRANCH, ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.sip_pvs import current_header, request
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.sip import SIPError

exports = ModuleExports("maxfwd", doc="Max-Forwards header processing")

# Parameters
exports.param("max_limit", int, 70, runtime=True, range=(0, 255), doc="Set an upper limit for the max-forward value in the outgoing requests.")


@dataclass
class MaxfwdSettings:
    """The module parameters (the server applies modparam values here)."""

    max_limit: int = 70


settings = MaxfwdSettings()
exports.settings = settings


def _max_value(ctx: Context, v: Value, what: str) -> int | None:
    n = to_int(v)
    if not 0 <= n <= 255 or to_str(v).strip() == "":
        ctx.log.error("%s: bad max value %r (0..255)", what, to_str(v))
        return None
    return n


def process(ctx: Context, max_value: Value, what: str) -> int:
    req = request(ctx)
    if req is None:
        ctx.log.error("%s: not a request", what)
        return -2
    limit = _max_value(ctx, max_value, what)
    if limit is None:
        return -2
    try:
        value = req.max_forwards
    except SIPError as exc:
        ctx.log.error("%s: %s", what, exc)
        return -2
    if value is None:
        req.add_header("Max-Forwards", str(limit))
        return 2
    if settings.max_limit and value > settings.max_limit:
        value = settings.max_limit
    if value == 0:
        return -1
    req.replace_header("max-forwards", str(value - 1))
    return 1


@exports.function("maxfwd_process", args=1, routes=RouteType.REQUEST)
def maxfwd_process(ctx: Context, max_value: Value) -> int:
    """Decrement Max-Forwards, or add it with `max_value`; -1 when it is already 0."""
    return process(ctx, max_value, "maxfwd_process")


@exports.function("mf_process_maxfwd_header", args=1, routes=RouteType.REQUEST)
def mf_process_maxfwd_header(ctx: Context, max_value: Value) -> int:
    """Same as maxfwd_process(max_value)."""
    return process(ctx, max_value, "mf_process_maxfwd_header")


@exports.function("process_maxfwd", args=1, routes=RouteType.REQUEST)
def process_maxfwd(ctx: Context, max_value: Value) -> int:
    """Same as maxfwd_process(max_value)."""
    return process(ctx, max_value, "process_maxfwd")


def is_lt(ctx: Context, max_value: Value, what: str) -> int:
    req = request(ctx)
    if req is None:
        return -3
    text = current_header(req, "max-forwards")
    if text is None:
        return -2
    if not text.strip().isdigit():
        ctx.log.error("%s: bad Max-Forwards value %r", what, text)
        return -3
    return 1 if int(text) < to_int(max_value) else -1


@exports.function("is_maxfwd_lt", args=1, routes=REQ_FAIL_BRANCH)
def is_maxfwd_lt(ctx: Context, max_value: Value) -> int:
    """True when Max-Forwards (as it will be sent) is below `max_value`; -2 without one."""
    return is_lt(ctx, max_value, "is_maxfwd_lt")


@exports.function("maxfwd_at_least", args=1, routes=REQ_FAIL_BRANCH)
def maxfwd_at_least(ctx: Context, max_value: Value) -> int:
    """Same as is_maxfwd_lt(max_value)."""
    return is_lt(ctx, max_value, "maxfwd_at_least")


@exports.function("mf_lowlimit", args=1, routes=REQ_FAIL_BRANCH)
def mf_lowlimit(ctx: Context, max_value: Value) -> int:
    """Same as is_maxfwd_lt(max_value)."""
    return is_lt(ctx, max_value, "mf_lowlimit")
