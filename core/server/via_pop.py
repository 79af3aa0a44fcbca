"""Take our Via off a reply without the edit machinery (the hot path of a stateless relay).

A relayed reply needs its first Via value (is it ours?), its second (where to send it) and its
octets without the first. Going through the message's edits parses and re-renders every Via;
`SIPMessage.split_top_via` finds the two values from the header lines and cuts the first one
out of the octets. Any unusual layout (folded lines, quoted strings) gives None: the caller then
takes the general path through the parsed message.
"""

from __future__ import annotations

from typing import NamedTuple

from siprouter.core.sip import SIPMessage


def sent_by(via: str) -> tuple[str, int | None] | None:
    """(host, port) of a plainly written Via value such as ours
    (`SIP/2.0/UDP 1.2.3.4:5060;branch=...`); None for anything else."""
    head = via.split(";", 1)[0]
    proto, sp, hostport = head.partition(" ")
    if not sp or not proto.upper().startswith("SIP/2.0/") or " " in hostport.strip():
        return None
    hostport = hostport.strip()
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port_text = hostport.partition(":")
    if port_text and not port_text.isdigit():
        return None
    return host, int(port_text) if port_text else None


class PoppedVia(NamedTuple):
    """The first and second Via values (text) and the message without the first."""

    top: str
    second: str | None
    data: bytes


def pop_top_via_of(msg: SIPMessage) -> PoppedVia | None:
    """The first and second Via values of a parsed message without edits and its octets
    without the first; None for layouts left to the general path (folded lines, quoted
    strings, no Via)."""
    split = msg.split_top_via()
    return None if split is None else PoppedVia(*split)
