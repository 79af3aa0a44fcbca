"""Whose a relayed reply's top Via is, without parsing it.

A relayed reply needs its first Via value (is it ours?), its second (where to send it) and its
octets without the first: `SIPMessage.split_top_via` gives the three from the header lines.
`sent_by` reads the host and port of a plainly written first value, such as the ones we write.
"""

from __future__ import annotations


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
