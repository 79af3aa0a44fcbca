"""Take our Via off a reply at the octet level (the hot path of a stateless relay).

A relayed reply needs its first Via value (is it ours?), its second (where to send it) and its
octets without the first. Going through the message's edit machinery parses and re-renders
every Via; this finds the two values in the raw header block and cuts the first one out. Any
unusual layout (folded Via lines, quoted strings) returns None: the caller then takes the
general path through the parsed message.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from siprouter.core.sip import SIPMessage

# A Via header line's start: after a CRLF, the name in any case, optional blanks, a colon.
_VIA_LINE = re.compile(rb"\r\n(?:via|v)[ \t]*:", re.IGNORECASE)


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


def _via_lines(data: bytes, end: int) -> list[tuple[int, int, int]] | None:
    """(line start, value start, line end) of each Via line, in order; None when a Via line
    is folded."""
    out = []
    for m in _VIA_LINE.finditer(data, 0, end + 2):
        start, vstart = m.start() + 2, m.end()
        eol = data.find(b"\r\n", vstart)
        if data[eol + 2:eol + 3] in (b" ", b"\t"):
            return None
        out.append((start, vstart, eol))
        if len(out) == 2:
            break  # the first two are all a reply relay needs
    return out


def pop_top_via(data: bytes) -> PoppedVia | None:
    """Split off the first Via value of a message's octets; None for layouts left to the
    general path (or no Via at all)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = _via_lines(data, end)
    if not lines:
        return None
    start, vstart, eol = lines[0]
    value = data[vstart:eol]
    if b'"' in value:
        return None
    first, comma, rest = value.partition(b",")
    top = first.strip().decode("utf-8", "surrogateescape")
    if comma and rest.strip():
        second_raw = rest.split(b",", 1)[0].strip()
        new = b"".join((data[:vstart], b" ", rest.lstrip(b" \t"), data[eol:]))
    else:
        second_raw = None
        if len(lines) > 1:
            s2, v2, e2 = lines[1]
            value2 = data[v2:e2]
            if b'"' in value2:
                return None
            second_raw = value2.split(b",", 1)[0].strip()
        new = data[:start] + data[eol + 2:]
    second = second_raw.decode("utf-8", "surrogateescape") if second_raw else None
    return PoppedVia(top, second, new)



def pop_top_via_of(msg: SIPMessage) -> PoppedVia | None:
    """`pop_top_via(msg.raw)` for a parsed message without edits, from its header lines
    instead of a search through the octets (same answers); None for layouts left to the
    general path (folded lines, quoted strings, no Via)."""
    split = msg.split_top_via()
    return None if split is None else PoppedVia(*split)
