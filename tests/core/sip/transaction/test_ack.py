"""The hop-by-hop ACK for a non-2xx final response (RFC 3261 s17.1.1.3), byte for byte."""

from __future__ import annotations

from siprouter.core.sip import SIPRequest, SIPResponse, parse_message, validate_request
from siprouter.core.sip.transaction import ClientTransaction, SendToTransport, build_ack

from .helpers import request, response, sent

# The example of RFC 3261 s17.1.1.3.
RFC_INVITE = (
    b"INVITE sip:bob@biloxi.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKkjshdyff\r\n"
    b"To: Bob <sip:bob@biloxi.com>\r\n"
    b"From: Alice <sip:alice@atlanta.com>;tag=88sja8x\r\n"
    b"Max-Forwards: 70\r\n"
    b"Call-ID: 987asjd97y7atg\r\n"
    b"CSeq: 986759 INVITE\r\n"
    b"\r\n"
)
RFC_RESPONSE = (
    b"SIP/2.0 404 Not Found\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKkjshdyff\r\n"
    b"To: Bob <sip:bob@biloxi.com>;tag=99sa0xk\r\n"
    b"From: Alice <sip:alice@atlanta.com>;tag=88sja8x\r\n"
    b"Call-ID: 987asjd97y7atg\r\n"
    b"CSeq: 986759 INVITE\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)
RFC_ACK = (
    b"ACK sip:bob@biloxi.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKkjshdyff\r\n"
    b"To: Bob <sip:bob@biloxi.com>;tag=99sa0xk\r\n"
    b"From: Alice <sip:alice@atlanta.com>;tag=88sja8x\r\n"
    b"Max-Forwards: 70\r\n"
    b"Call-ID: 987asjd97y7atg\r\n"
    b"CSeq: 986759 ACK\r\n"
    # Not in the RFC's example; needed to frame the ACK over TCP, harmless over UDP.
    b"Content-Length: 0\r\n"
    b"\r\n"
)


def parsed_request(data: bytes) -> SIPRequest:
    msg = parse_message(data)
    assert isinstance(msg, SIPRequest)
    return msg


def parsed_response(data: bytes) -> SIPResponse:
    msg = parse_message(data)
    assert isinstance(msg, SIPResponse)
    return msg


def test_ack_is_the_rfc_3261_example() -> None:
    assert build_ack(parsed_request(RFC_INVITE), parsed_response(RFC_RESPONSE)) == RFC_ACK


def test_the_invite_client_transaction_sends_that_ack() -> None:
    tx = ClientTransaction(parsed_request(RFC_INVITE), False, 0.0)
    tx.send_request(0.0)
    events = tx.receive_response(parsed_response(RFC_RESPONSE), 0.1)
    assert isinstance(events[0], SendToTransport)
    assert sent(events[0]) == RFC_ACK
    assert isinstance(events[0].message, SIPRequest) and events[0].message.method == "ACK"


def test_ack_copies_routes_and_only_the_top_via_of_the_request_as_sent() -> None:
    invite = request(
        extra=(
            "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
            "Route: <sip:p3.example.com;lr>\r\n"
            "Content-Type: application/sdp\r\n"
        ),
    )
    # A proxy's edits: its own Via on top, a new Request-URI; the ACK follows the INVITE
    # as it went out, not as it came in.
    invite.prepend_via("SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy1")
    invite.set_ruri("sip:bob@192.0.2.4:5070")
    tx = ClientTransaction(invite, False, 0.0)
    tx.send_request(0.0)
    busy = response(tx.request, 486, to_tag="b0b")
    (ack_event, _) = tx.receive_response(busy, 0.1)
    assert sent(ack_event) == (
        b"ACK sip:bob@192.0.2.4:5070 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy1\r\n"
        b"To: Bob <sip:bob@biloxi.example.com>;tag=b0b\r\n"
        b"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
        b"Max-Forwards: 70\r\n"
        b"Call-ID: a84b4c76e66710@client.example.com\r\n"
        b"CSeq: 314159 ACK\r\n"
        b"Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n"
        b"Route: <sip:p3.example.com;lr>\r\n"
        b"Content-Length: 0\r\n"
        b"\r\n"
    )


def test_ack_is_a_valid_request() -> None:
    ack = parsed_request(build_ack(parsed_request(RFC_INVITE), parsed_response(RFC_RESPONSE)))
    assert validate_request(ack) is None
    assert ack.body == b""


def test_ack_gets_a_max_forwards_when_the_invite_had_none() -> None:
    invite = parsed_request(RFC_INVITE.replace(b"Max-Forwards: 70\r\n", b""))
    ack = parsed_request(build_ack(invite, parsed_response(RFC_RESPONSE)))
    assert ack.max_forwards == 70
