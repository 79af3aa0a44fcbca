"""The ACK an INVITE client transaction sends for a non-2xx final response (RFC 3261 s17.1.1.3).

This ACK is hop-by-hop: it belongs to the INVITE transaction and goes where the INVITE went,
so it copies the INVITE as sent (our Via with our branch, our Request-URI and Route set). The
ACK for a 2xx is end-to-end and the TU's business (s13.2.2.4), not built here.
"""

from __future__ import annotations

from siprouter.core.sip.errors import LocalSIPError
from siprouter.core.sip.forwarding import DEFAULT_MAX_FORWARDS
from siprouter.core.sip.message import SIPRequest, SIPResponse
from siprouter.core.sip.syntax import encode


def build_ack(request: SIPRequest, response: SIPResponse) -> bytes:
    """The ACK for `response` (300-699) to `request` (an INVITE as it was sent).

    Same Request-URI, Call-ID, From and CSeq number as the request; CSeq method ACK; the To
    of the response (with the tag the UAS added); the request's top Via only; the request's
    Route lines (s17.1.1.3). Max-Forwards is the request's (every request needs one,
    s8.1.1.6). Content-Length is 0 so the ACK frames correctly over stream transports.
    Values are copied as written, so a retransmitted ACK is byte-identical to the first.
    """
    cseq = request.cseq
    to = response.header("to")
    sender = request.header("from")
    call_id = request.header("call-id")
    vias = request.header_values("via")
    if cseq is None or to is None or sender is None or call_id is None or not vias:
        raise LocalSIPError("INVITE lacks a header an ACK must copy", None)
    max_forwards = request.header("max-forwards") or str(DEFAULT_MAX_FORWARDS)
    lines = [
        f"ACK {request.ruri_text} SIP/2.0",
        f"Via: {vias[0]}",
        f"To: {to}",
        f"From: {sender}",
        f"Max-Forwards: {max_forwards}",
        f"Call-ID: {call_id}",
        f"CSeq: {cseq.number} ACK",
    ]
    lines += [f"Route: {route}" for route in request.header_all("route")]
    lines.append("Content-Length: 0")
    return encode("\r\n".join(lines) + "\r\n\r\n")
