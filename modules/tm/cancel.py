"""CANCEL requests for our branches (RFC 3261 s9.1) and the Reason headers they carry
(RFC 3326: Kamailio's e2e_cancel_reason and local_cancel_reason)."""

from __future__ import annotations

from collections.abc import Iterable

from siprouter.core.sip import SIPError, SIPRequest, parse_message


def build_cancel(request: SIPRequest, reasons: Iterable[str] = ()) -> SIPRequest | None:
    """The CANCEL of a branch's request as it was sent: same Request-URI, top Via (so the
    same branch), Call-ID, From, To, CSeq number and Route set; None when the request lacks
    a header a CANCEL must copy."""
    try:
        vias = request.header_values("via")
        cseq = request.cseq
        if not vias or cseq is None:
            return None
        lines = [f"CANCEL {request.ruri_text} SIP/2.0", f"Via: {vias[0]}"]
        lines += [f"Route: {r}" for r in request.header_all("route")]
        lines += [f"From: {request.header('from') or ''}", f"To: {request.header('to') or ''}",
                  f"Call-ID: {request.header('call-id') or ''}", f"CSeq: {cseq.number} CANCEL",
                  "Max-Forwards: 70"]
        lines += [f"Reason: {r}" for r in reasons]
        lines += ["Content-Length: 0", "", ""]
        msg = parse_message("\r\n".join(lines).encode("utf-8", "surrogateescape"))
    except SIPError:
        return None
    return msg if isinstance(msg, SIPRequest) else None
