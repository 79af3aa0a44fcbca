"""What a proxy does to a message's Via and Max-Forwards on the way through:
``received``/``rport`` filling (RFC 3261 s18.2.1, RFC 3581), where a response goes
(s18.2.2), and the Max-Forwards hop count (s16.6 step 3, 483 at zero)."""

from __future__ import annotations

from typing import NamedTuple

from .errors import RemoteSIPError
from .message import SIPMessage
from .uri import bare_host
from .via import Via, parse_via, same_host, via_shape

DEFAULT_MAX_FORWARDS = 70


class ReplyTarget(NamedTuple):
    """Where to send a response: transport, address (no IPv6 brackets) and port."""

    transport: str
    host: str
    port: int


def fill_received_rport(
    msg: SIPMessage, source_ip: str, source_port: int, *, force_rport: bool = False
) -> Via | None:
    """Record ``received``/``rport`` on the top Via of a request that came from
    `source_ip`:`source_port`; returns the resulting top Via (None without a Via).

    ``received`` is added when the sent-by host is not the source address, or when an rport
    is filled (RFC 3581 s4 asks for both). ``rport`` gets the source port when the Via asks
    for it (empty ``rport``) or with `force_rport` (Kamailio ``force_rport()``).
    """
    via = msg.top_via
    if via is None:
        return None
    fill_rport = force_rport or "rport" in via.params
    if not fill_rport and (via.host == source_ip or same_host(via.host, source_ip)):
        return via  # the usual case: nothing to record
    # Here rport is filled, or the sent-by host is not the source: received goes in.
    changes: dict[str, str | None] = {}
    if fill_rport:
        changes["rport"] = str(source_port)
    changes["received"] = bare_host(source_ip)
    new_via = via.with_params(**changes)
    msg.replace_header_value("via", 0, str(new_via))
    return new_via


def reply_target(via: Via) -> ReplyTarget:
    """The destination of a response whose top Via (after ours is removed) is `via`.

    RFC 3261 s18.2.2 with RFC 3581: ``maddr`` wins (port from sent-by or the default);
    else ``received`` as the address; the port is ``rport`` when it has a value, else the
    sent-by port, else the transport's default (5060, 5061 for TLS). Reusing a connection
    for reliable transports is the transport layer's business.
    """
    if via.maddr is not None:
        return ReplyTarget(via.transport, bare_host(via.maddr), via.port or via.default_port)
    host = via.received if via.received is not None else via.host
    port = via.rport or via.port or via.default_port
    return ReplyTarget(via.transport, bare_host(host), port)


def via_reply_target(text: str) -> ReplyTarget:
    """`reply_target(parse_via(text))` (raising as parse_via does), without making the Via
    when one of the same shape was parsed before: a Via's target does not depend on its
    branch, so it is kept with the shape (see via._SHAPES)."""
    entry = via_shape(text)
    if entry is None:
        return reply_target(parse_via(text))
    target: ReplyTarget | None = entry[1]
    if target is None:
        target = entry[1] = reply_target(entry[0])
    return target


def decrement_max_forwards(
    msg: SIPMessage, *, default: int = DEFAULT_MAX_FORWARDS
) -> RemoteSIPError | None:
    """Count one hop: Max-Forwards is decremented, or added with `default` when absent
    (Kamailio ``mf_process_maxfwd_header``). At 0 nothing is changed and the 483 Too Many
    Hops error to answer with is returned (an OPTIONS may be answered instead, s16.3)."""
    value = msg.max_forwards
    if value is None:
        msg.add_header("Max-Forwards", str(default))
        return None
    if value == 0:
        located = msg.locate_value("max-forwards")
        return RemoteSIPError(
            "Max-Forwards reached 0", 483, header="max-forwards",
            position=located[1] if located else None,
        )
    msg.replace_header("max-forwards", str(value - 1))
    return None
