"""A fake clock, message builders and an event summary for the transaction tests."""

from __future__ import annotations

from siprouter.core.sip import SIPRequest, SIPResponse, parse_message
from siprouter.core.sip.transaction import (
    PassToTU,
    SendToTransport,
    Terminated,
    Transaction,
    TransactionEvent,
    TransactionTimeout,
    TransportError,
)

CLIENT_BRANCH = "z9hG4bKclient1"


class FakeClock:
    """Time that only moves when a test says so."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now

    def fire(self, tx: Transaction) -> list[TransactionEvent]:
        """Move to `tx`'s next deadline and let it handle its timers there."""
        deadline = tx.get_timer()
        assert deadline is not None, "no timer is running"
        assert deadline >= self.now
        self.now = deadline
        return tx.handle_timer(self.now)


def request(
    method: str = "INVITE",
    *,
    branch: str = CLIENT_BRANCH,
    transport: str = "UDP",
    sent_by: str = "client.example.com",
    ruri: str = "sip:bob@biloxi.example.com",
    to_tag: str | None = None,
    from_tag: str = "1928301774",
    call_id: str = "a84b4c76e66710@client.example.com",
    cseq: int = 314159,
    cseq_method: str | None = None,
    extra: str = "",
) -> SIPRequest:
    """A request with one Via (`branch`); `extra` is more header lines, CRLF-terminated."""
    to = "Bob <sip:bob@biloxi.example.com>" + (f";tag={to_tag}" if to_tag else "")
    text = (
        f"{method} {ruri} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} {sent_by};branch={branch}\r\n"
        "Max-Forwards: 70\r\n"
        f"To: {to}\r\n"
        f"From: Alice <sip:alice@atlanta.example.com>;tag={from_tag}\r\n"
        f"Call-ID: {call_id}\r\n"
        f"CSeq: {cseq} {cseq_method or method}\r\n"
        f"{extra}"
        "Content-Length: 0\r\n"
        "\r\n"
    )
    msg = parse_message(text.encode())
    assert isinstance(msg, SIPRequest)
    return msg


def response(req: SIPRequest, status: int, *, to_tag: str | None = "uas1", reason: str = "X",
             cseq_method: str | None = None) -> SIPResponse:
    """The response `status` to `req`: its Vias, From, Call-ID and CSeq, its To with `to_tag`
    (none for 100 Trying, as s8.2.6.2 allows)."""
    to = req.header("to") or ""
    if to_tag is not None and status != 100 and ";tag=" not in to:
        to += f";tag={to_tag}"
    cseq = req.cseq
    assert cseq is not None
    vias = "".join(f"Via: {v}\r\n" for v in req.header_all("via"))
    text = (
        f"SIP/2.0 {status} {reason}\r\n"
        f"{vias}"
        f"To: {to}\r\n"
        f"From: {req.header('from')}\r\n"
        f"Call-ID: {req.call_id}\r\n"
        f"CSeq: {cseq.number} {cseq_method or cseq.method}\r\n"
        "Content-Length: 0\r\n"
        "\r\n"
    )
    msg = parse_message(text.encode())
    assert isinstance(msg, SIPResponse)
    return msg


def ack_for(req: SIPRequest, resp: SIPResponse) -> SIPRequest:
    """The ACK a client sends for the non-2xx `resp`: same branch, To of the response."""
    text = (
        f"ACK {req.ruri_text} SIP/2.0\r\n"
        f"Via: {req.header_values('via')[0]}\r\n"
        "Max-Forwards: 70\r\n"
        f"To: {resp.header('to')}\r\n"
        f"From: {req.header('from')}\r\n"
        f"Call-ID: {req.call_id}\r\n"
        f"CSeq: {req.cseq.number if req.cseq else 0} ACK\r\n"
        "Content-Length: 0\r\n"
        "\r\n"
    )
    msg = parse_message(text.encode())
    assert isinstance(msg, SIPRequest)
    return msg


def summary(events: list[TransactionEvent]) -> list[tuple[str, ...]]:
    """Events as short tuples: ("send", start line), ("tu", start line), ("timeout", "B"),
    ("transport error",), ("terminated",)."""
    out: list[tuple[str, ...]] = []
    for event in events:
        if isinstance(event, SendToTransport):
            out.append(("send", event.message.start_line))
        elif isinstance(event, PassToTU):
            out.append(("tu", event.message.start_line))
        elif isinstance(event, TransactionTimeout):
            out.append(("timeout", event.timer.value))
        elif isinstance(event, TransportError):
            out.append(("transport error",))
        elif isinstance(event, Terminated):
            out.append(("terminated",))
        else:  # pragma: no cover - a new event type needs a line here
            raise AssertionError(event)
    return out


INVITE_LINE = "INVITE sip:bob@biloxi.example.com SIP/2.0"
ACK_LINE = "ACK sip:bob@biloxi.example.com SIP/2.0"


def sent(event: TransactionEvent) -> bytes:
    """The bytes of a `SendToTransport` event."""
    assert isinstance(event, SendToTransport)
    return event.data
