"""Replies: which final answer wins (RFC 3261 s16.7, Kamailio's priorities), and the octets
of the replies tm generates itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from siprouter.core.server.replies import build_reply, parts_of, received_via, reply_octets
from siprouter.core.sip import SIPError, SIPResponse

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
            parts = tm.reply_parts = parts_of(tm.request)
        top = tm.reply_via
        if top is None and tm.request_via is not None:
            top = tm.reply_via = str(received_via(tm.request_via, tm.rcv.src_ip,
                                                  tm.rcv.src_port, tm.force_rport))
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
