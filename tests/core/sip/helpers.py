"""Messages shared by the core/sip tests."""

from __future__ import annotations

from siprouter.core.sip import SIPRequest, SIPResponse, parse_message

BODY = b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"

INVITE = (
    b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: Bob <sip:bob@biloxi.example.com>\r\n"
    b'From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774\r\n'
    b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n"
    b"\r\n" + BODY
)

RESPONSE = (
    b"SIP/2.0 180 Ringing\r\n"
    b"Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy, "
    b"SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1\r\n"
    b"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    b"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)


def invite(data: bytes = INVITE) -> SIPRequest:
    msg = parse_message(data)
    assert isinstance(msg, SIPRequest)
    return msg


def response(data: bytes = RESPONSE) -> SIPResponse:
    msg = parse_message(data)
    assert isinstance(msg, SIPResponse)
    return msg


def with_header(line: bytes, data: bytes = INVITE) -> bytes:
    """`data` with one more header line before the empty line."""
    head, _, body = data.partition(b"\r\n\r\n")
    return head + b"\r\n" + line + b"\r\n\r\n" + body


def replace_line(old: bytes, new: bytes, data: bytes = INVITE) -> bytes:
    assert old in data
    return data.replace(old, new, 1)
