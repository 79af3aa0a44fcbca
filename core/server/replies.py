"""Stateless replies (the sl module's and the core's 400/513 for broken requests).

A reply copies the request's Via values (the top one with `received`/`rport` of where the
request came from), From, To, Call-ID and CSeq (RFC 3261 s8.2.6.2). A To without a tag gets
ours: like Kamailio's sl, a fixed prefix (the same in every worker, so an ACK for our reply is
recognised by any of them) and a short hash of the request, so retransmissions get the same
tag.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from siprouter.core.sip import (
    SIPError,
    SIPRequest,
    Via,
    parse_via,
    reply_target,
)
from siprouter.core.sip.headers import canonical_from_wire

SERVER_HEADER = "Server: siprouter"
_COPIED = ("via", "from", "to", "call-id", "cseq")


@dataclass(frozen=True, slots=True)
class ReplyTo:
    """Where a reply goes: protocol, address, port."""

    proto: str
    host: str
    port: int


def sl_tag_prefix(seed: str) -> str:
    """The fixed part of our To-tags (32 hex digits), from something every worker shares."""
    return hashlib.md5(("siprouter-stateless:" + seed).encode()).hexdigest()


def to_tag(prefix: str, call_id: str, from_tag: str, branch: str) -> str:
    """Our To-tag for a request: prefix + '-' + a hash of what identifies it."""
    crc = zlib.crc32(f"{call_id}\x00{from_tag}\x00{branch}".encode("utf-8", "surrogateescape"))
    return f"{prefix}-{crc & 0xFFFF:04x}"


@dataclass(slots=True)
class ReplyParts:
    """The request header values a reply copies."""

    vias: list[str]
    from_: str
    to: str
    call_id: str
    cseq: str
    to_has_tag: bool
    from_tag: str = ""


_BLANKS = " \t\r\n"


def parts_of(msg: SIPRequest) -> ReplyParts:
    """The copied values of a parsed request (raises SIPError when one is malformed). Read
    from the header lines directly when they are simple (no folding, no comma in a Via line:
    every local reply of tm and sl asks): the values `parsed_parts` gives."""
    if msg.has_folded_lines:
        return parsed_parts(msg)
    keys = msg.header_keys
    present = msg.header_key_set
    line_at = msg.header_line
    if "via" not in present:
        vias: list[str] = []
    elif msg.repeats_a_header:
        vias = []
        for i, key in enumerate(keys):
            if key == "via":
                line = line_at(i)
                value = line[line.find(":") + 1:].strip(_BLANKS)
                if "," in value:
                    return parsed_parts(msg)
                if value:
                    vias.append(value)
    else:
        line = line_at(keys.index("via"))
        value = line[line.find(":") + 1:].strip(_BLANKS)
        if "," in value:
            return parsed_parts(msg)
        vias = [value] if value else []
    # _first_value() of From, To, Call-ID and CSeq, written out (every local reply asks)
    from_text = to_text = call_id = cseq = ""
    if "from" in present:
        line = line_at(keys.index("from"))
        from_text = line[line.find(":") + 1:].strip(_BLANKS)
    if "to" in present:
        line = line_at(keys.index("to"))
        to_text = line[line.find(":") + 1:].strip(_BLANKS)
    if "call-id" in present:
        line = line_at(keys.index("call-id"))
        call_id = line[line.find(":") + 1:].strip(_BLANKS)
    if "cseq" in present:
        line = line_at(keys.index("cseq"))
        cseq = line[line.find(":") + 1:].strip(_BLANKS)
    to = msg.to
    from_ = msg.from_
    # to.tag and from_.tag without their calls when the values are not quoted
    from_tag = from_.params.get("tag") if from_ is not None else None
    if from_tag and from_tag[0] == '"':
        from_tag = from_.tag
    return ReplyParts(vias, from_text, to_text, call_id, cseq,
                      to is not None and to.params.get("tag") is not None, from_tag or "")


def _first_value(msg: SIPRequest, name: str, present: frozenset[str] | set[str],
                 keys: list[str]) -> str:
    """header(name) read from its first line: the value, stripped; "" when there is none."""
    if name not in present:
        return ""
    line = msg.header_line(keys.index(name))
    return line[line.find(":") + 1:].strip(_BLANKS)


def parsed_parts(msg: SIPRequest) -> ReplyParts:
    """parts_of through the message's general accessors (any layout)."""
    to = msg.to
    from_ = msg.from_
    return ReplyParts(
        vias=msg.header_values("via"),
        from_=msg.header("from") or "",
        to=msg.header("to") or "",
        call_id=msg.header("call-id") or "",
        cseq=msg.header("cseq") or "",
        to_has_tag=to is not None and to.tag is not None,
        from_tag=(from_.tag or "") if from_ is not None else "",
    )


def salvage_parts(data: bytes) -> ReplyParts | None:
    """The copied values read from the raw octets of a request that did not parse, as far as
    they can be found; None when there is no Via at all (a reply must carry one)."""
    end = data.find(b"\r\n\r\n")
    block = data[:end if end >= 0 else len(data)].decode("utf-8", "surrogateescape")
    lines = block.split("\r\n")[1:]
    found: dict[str, list[str]] = {}
    for line in lines:
        if line[:1] in (" ", "\t") or ":" not in line:
            continue  # folded or broken lines are not needed for a reply
        name, _, value = line.partition(":")
        key = canonical_from_wire(name.strip())
        if key in _COPIED:
            found.setdefault(key, []).append(value.strip())
    vias = [v.strip() for line in found.get("via", []) for v in line.split(",") if v.strip()]
    if not vias:
        return None
    to = (found.get("to") or [""])[0]
    return ReplyParts(vias, (found.get("from") or [""])[0], to,
                      (found.get("call-id") or [""])[0], (found.get("cseq") or [""])[0],
                      ";tag=" in to.replace(" ", "").lower())


def received_via(via: Via, src_ip: str, src_port: int, force_rport: bool) -> Via:
    """The top Via as the reply carries it: `received` always set to the source address,
    `rport` filled when asked for (RFC 3581) or forced."""
    changes: dict[str, str | None] = {"received": src_ip}
    if via.has_rport or force_rport:
        changes["rport"] = str(src_port)
    return via.with_params(**changes)


def build_reply(parts: ReplyParts, code: int, reason: str, *, src_ip: str, src_port: int,
                tag: str | None, force_rport: bool = False,
                headers: Iterable[str] = ()) -> tuple[bytes, Via | None]:
    """The reply's octets and its top Via (for `reply_destination`); None when the request's
    top Via does not parse: it is copied as it came and the reply goes to the source."""
    top: Via | None
    try:
        top = received_via(parse_via(parts.vias[0]), src_ip, src_port, force_rport)
    except SIPError:
        top = None
    return reply_octets(parts, str(top) if top is not None else parts.vias[0], code, reason,
                        tag, headers), top


def reply_octets(parts: ReplyParts, top_via: str, code: int, reason: str, tag: str | None,
                 headers: Iterable[str] = ()) -> bytes:
    """The reply's octets, its top Via given as it goes out (with `received`/`rport`): tm
    makes that once per transaction, not once per reply."""
    to = parts.to
    if tag and not parts.to_has_tag and code > 100 and to:
        to = f"{to};tag={tag}"
    reason = reason.replace("\r", " ").replace("\n", " ")
    lines = [f"SIP/2.0 {code} {reason}", f"Via: {top_via}"]
    lines += [f"Via: {v}" for v in parts.vias[1:]]
    if parts.from_:
        lines.append(f"From: {parts.from_}")
    if to:
        lines.append(f"To: {to}")
    if parts.call_id:
        lines.append(f"Call-ID: {parts.call_id}")
    if parts.cseq:
        lines.append(f"CSeq: {parts.cseq}")
    lines += headers
    lines += _TAIL
    return "\r\n".join(lines).encode("utf-8", "surrogateescape")


_TAIL = (SERVER_HEADER, "Content-Length: 0", "", "")


def reply_destination(top: Via | None, proto: str, src_ip: str, src_port: int) -> ReplyTo:
    """Where a stateless reply goes: over a stream, back on the connection it came in on
    (RFC 3261 s18.2.2); over UDP, to `received` and `rport` or the Via port (to the source
    when the Via could not be read)."""
    if proto in ("tcp", "tls") or top is None:
        return ReplyTo(proto, src_ip, src_port)
    target = reply_target(top)
    return ReplyTo(proto, target.host, target.port)
