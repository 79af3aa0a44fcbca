"""Replies: which final answer wins (RFC 3261 s16.7, Kamailio's priorities), and the octets
of the replies tm generates itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from siprouter.core.server.replies import SERVER_HEADER, ReplyParts, build_reply, parts_of
from siprouter.core.sip import SIPError, SIPRequest, SIPResponse, Via

from .state import TmTransaction, UacBranch

# Within the 4xx class these are the most useful to the caller (s16.7 step 6: challenges and
# what can be fixed and retried), as Kamailio's get_4xx_prio has it.
_PREFERRED_4XX = {401: 0, 407: 0, 415: 1, 420: 1, 484: 2}
# Classes from best to worst once no 2xx came: 6xx ends the search (s16.7 step 5), then
# redirections, client errors, server errors.
_CLASS_RANK = {6: 0, 2: 1, 3: 2, 4: 3, 5: 4}


def reply_priority(code: int) -> tuple[int, int, int]:
    """Sort key: lower is better. 503 is the worst 5xx: it is about this hop, not the call
    (s16.7 step 6 turns it into 500 upstream anyway)."""
    cls = code // 100
    within = _PREFERRED_4XX.get(code, 3) if cls == 4 else (1 if code == 503 else 0)
    return (_CLASS_RANK.get(cls, 9), within, code)


def best_branch(branches: Sequence[UacBranch]) -> UacBranch | None:
    """The branch whose final answer goes upstream (the first of equals wins)."""
    done = [b for b in branches if not b.pending]
    if not done:
        return None
    return min(done, key=lambda b: reply_priority(b.final_code))


def local_reply(tm: TmTransaction, code: int, reason: str,
                headers: Iterable[str] = ()) -> tuple[bytes, str | None] | None:
    """The octets of a reply tm makes up for the transaction's request, and the To tag it
    carries (ours, unless the request had one); None when the request lacks what a reply
    copies."""
    try:
        parts = tm.reply_parts
        if parts is None:
            parts = tm.reply_parts = request_parts(tm.request)
        top = tm.reply_via
        if top is None:
            data, _ = build_reply(parts, code, reason, src_ip=tm.rcv.src_ip,
                                  src_port=tm.rcv.src_port,
                                  tag=tm.tag if code > 100 else None,
                                  force_rport=tm.force_rport, headers=headers)
        else:
            data = reply_octets(parts, top, code, reason,
                                tm.tag if code > 100 and not parts.to_has_tag else None,
                                headers)
    except SIPError:
        return None
    if parts.to_has_tag:
        to = tm.request.to
        return data, to.tag if to is not None else None
    return data, tm.tag if code > 100 and parts.to else None


_BLANKS = " \t\r\n"


def request_parts(msg: SIPRequest) -> ReplyParts:
    """core.server.replies.parts_of, read from the header lines directly when they are
    simple (no folding, no comma in a Via line): the same values."""
    if msg.has_folded_lines:
        return parts_of(msg)
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
                    return parts_of(msg)
                if value:
                    vias.append(value)
    else:
        line = line_at(keys.index("via"))
        value = line[line.find(":") + 1:].strip(_BLANKS)
        if "," in value:
            return parts_of(msg)
        vias = [value] if value else []
    # the first line of each (header(name))
    if "from" in present:
        line = line_at(keys.index("from"))
        from_text = line[line.find(":") + 1:].strip(_BLANKS)
    else:
        from_text = ""
    if "to" in present:
        line = line_at(keys.index("to"))
        to_text = line[line.find(":") + 1:].strip(_BLANKS)
    else:
        to_text = ""
    if "call-id" in present:
        line = line_at(keys.index("call-id"))
        call_id = line[line.find(":") + 1:].strip(_BLANKS)
    else:
        call_id = ""
    if "cseq" in present:
        line = line_at(keys.index("cseq"))
        cseq = line[line.find(":") + 1:].strip(_BLANKS)
    else:
        cseq = ""
    to = msg.to
    from_ = msg.from_
    return ReplyParts(vias, from_text, to_text, call_id, cseq,
                      to is not None and to.tag is not None,
                      (from_.tag or "") if from_ is not None else "")


def reply_octets(parts: ReplyParts, top: Via, code: int, reason: str, tag: str | None,
                 headers: Iterable[str] = ()) -> bytes:
    """core.server.replies.build_reply for a transaction, whose top Via with `received`
    (and `rport`) was made once, when the transaction was (build_reply parses the Via again
    for every reply): the same octets."""
    to = parts.to
    if tag and not parts.to_has_tag and code > 100 and to:
        to = f"{to};tag={tag}"
    if "\r" in reason or "\n" in reason:
        reason = reason.replace("\r", " ").replace("\n", " ")
    vias = parts.vias
    lines = [f"SIP/2.0 {code} {reason}", f"Via: {top}"]
    if len(vias) > 1:
        lines += [f"Via: {v}" for v in vias[1:]]
    if parts.from_:
        lines.append(f"From: {parts.from_}")
    if to:
        lines.append(f"To: {to}")
    if parts.call_id:
        lines.append(f"Call-ID: {parts.call_id}")
    if parts.cseq:
        lines.append(f"CSeq: {parts.cseq}")
    if headers:
        lines += headers
    lines += _TAIL
    return "\r\n".join(lines).encode("utf-8", "surrogateescape")


_TAIL = (SERVER_HEADER, "Content-Length: 0", "", "")


def without_our_via(reply: SIPResponse, *,
                    want_tag: bool = True) -> tuple[bytes, str | None] | None:
    """The reply as it goes upstream, our (top) Via removed, and the To tag of a final one
    (for the server transaction; only an INVITE one uses it, to match an RFC 2543 ACK: with
    `want_tag` False the To header is not parsed and the tag is None); None when it has no
    other Via."""
    try:
        # The message cuts its first Via value from its header lines (as the stateless
        # relay does); anything it leaves (edits, folding, quotes, one Via) takes the
        # header-aware path.
        split = reply.split_top_via()
        data = split[2] if split is not None and split[1] is not None else None
        if data is None:
            if len(reply.vias) < 2:
                return None
            reply.remove_header_value("via", 0)
            data = reply.serialize()
        if reply.status_code < 200 or not want_tag:
            return data, None
        to = reply.to
        return data, to.tag if to is not None else None
    except SIPError:
        return None
