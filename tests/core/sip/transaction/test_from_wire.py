"""Transactions over octets the owner made itself (the proxy's relay path): a client
transaction created from the request's bytes and a server transaction sending reply bytes
behave as the message-based ones, and parse nothing they are not asked for."""

from __future__ import annotations

from siprouter.core.sip import SIPRequest
from siprouter.core.sip.transaction import (
    ClientTransaction,
    SendToTransport,
    ServerTransaction,
    State,
    TransactionTable,
)

from .helpers import CLIENT_BRANCH, FakeClock, ack_for, request, response


def _from_wire(req: SIPRequest, clock: FakeClock) -> ClientTransaction:
    return ClientTransaction.from_wire(req.serialize(), req.method, CLIENT_BRANCH,
                                       req.method, False, clock.now)


def test_a_client_transaction_from_octets_sends_them_unchanged() -> None:
    clock = FakeClock()
    req = request()
    tx = _from_wire(req, clock)
    events = tx.send_request(clock.now)
    assert [type(e) for e in events] == [SendToTransport]
    assert isinstance(events[0], SendToTransport) and events[0].data == req.serialize()
    assert tx.state is State.CALLING and tx.key == (CLIENT_BRANCH, "INVITE")


def test_a_client_transaction_from_octets_is_found_by_its_responses() -> None:
    clock = FakeClock()
    req = request()
    table = TransactionTable()
    tx = _from_wire(req, clock)
    table.add(tx)
    tx.send_request(clock.now)
    assert table.find_client(response(req, 180)) is tx


def test_the_ack_of_a_negative_reply_is_built_from_the_octets_sent() -> None:
    clock = FakeClock()
    req = request()
    tx = _from_wire(req, clock)
    tx.send_request(clock.now)
    events = tx.receive_response(response(req, 486), clock.advance(0.1))
    acks = [e for e in events if isinstance(e, SendToTransport)]
    assert len(acks) == 1 and acks[0].data.startswith(b"ACK sip:bob@biloxi.example.com")
    assert isinstance(acks[0].message, SIPRequest) and acks[0].message.method == "ACK"
    assert tx.request.method == "INVITE"


def test_a_server_transaction_sends_reply_octets_and_keeps_the_final_to_tag() -> None:
    clock = FakeClock()
    req = request()
    stx = ServerTransaction(req, False, clock.now)
    stx.receive_request(req, clock.now)
    busy = response(req, 486, to_tag="ours")
    events = stx.send_response_wire(busy.serialize(), 486, "ours", clock.now)
    assert [e.data for e in events if isinstance(e, SendToTransport)] == [busy.serialize()]
    assert stx.state is State.COMPLETED and stx.to_tag == "ours"
    # a retransmitted INVITE gets the same octets again
    again = stx.receive_request(req, clock.advance(0.1))
    assert [e.data for e in again if isinstance(e, SendToTransport)] == [busy.serialize()]
    # and the ACK (To tag of our final) confirms it
    stx.receive_request(ack_for(req, busy), clock.advance(0.1))
    assert stx.state is State.CONFIRMED


def test_a_relayed_final_reply_gives_its_to_tag_when_an_rfc2543_ack_asks() -> None:
    clock = FakeClock()
    req = request(branch="old-style-1")  # no magic cookie: matched by the RFC 2543 rules
    table = TransactionTable()
    stx = ServerTransaction(req, False, clock.now)
    stx.start(clock.now)
    table.add(stx)
    busy = response(req, 486, to_tag="theirs")
    stx.send_response_wire(busy.serialize(), 486, None, clock.now, tag_of=busy)
    assert stx.state is State.COMPLETED and stx.to_tag == "theirs"
    assert table.find_server(ack_for(req, busy)) is stx
    assert table.find_server(ack_for(req, response(req, 486, to_tag="other"))) is None


def test_start_moves_a_server_transaction_as_its_first_request_does() -> None:
    clock = FakeClock()
    for method, state in (("INVITE", State.PROCEEDING), ("OPTIONS", State.TRYING)):
        req = request(method)
        started, received = (ServerTransaction(req, False, clock.now) for _ in range(2))
        started.start(clock.now)
        received.receive_request(req, clock.now)
        assert started.state is received.state is state
        assert started.get_timer() is received.get_timer() is None


def test_a_client_transaction_from_octets_has_every_field_of_one_from_a_message() -> None:
    from siprouter.core.sip.transaction import Transaction

    clock = FakeClock()
    req = request()
    made, wired = ClientTransaction(req, False, clock.now), _from_wire(req, clock)
    for name in Transaction.__slots__ + ClientTransaction.__slots__:
        assert hasattr(wired, name) and hasattr(made, name), name
    for name in ("spec", "state", "reliable", "timers", "created_at", "_deadlines",
                 "_intervals", "_rows", "_plans", "method", "branch", "key"):
        assert getattr(wired, name) == getattr(made, name), name
