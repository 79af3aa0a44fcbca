"""INVITE server transaction (RFC 3261 s17.2.1, RFC 6026 s7.1): one test per table row,
then timer G's schedule and the reliable-transport rules."""

from __future__ import annotations

import pytest

from siprouter.core.sip import SIPRequest
from siprouter.core.sip.transaction import ServerTransaction, State, Timer, TransactionError

from .helpers import ACK_LINE, INVITE_LINE, FakeClock, ack_for, request, response, sent, summary


def proceeding(clock: FakeClock, *, reliable: bool = False) -> ServerTransaction:
    invite = request()
    tx = ServerTransaction(invite, reliable, clock.now)
    tx.receive_request(invite, clock.now)
    assert tx.state is State.PROCEEDING
    return tx


def completed(clock: FakeClock, *, reliable: bool = False) -> ServerTransaction:
    tx = proceeding(clock, reliable=reliable)
    tx.send_response(response(tx.request, 486), clock.advance(1))
    assert tx.state is State.COMPLETED
    return tx


def confirmed(clock: FakeClock) -> ServerTransaction:
    tx = completed(clock)
    tx.receive_request(ack_for(tx.request, response(tx.request, 486)), clock.advance(0.1))
    assert tx.state is State.CONFIRMED
    return tx


def accepted(clock: FakeClock, *, reliable: bool = False) -> ServerTransaction:
    tx = proceeding(clock, reliable=reliable)
    tx.send_response(response(tx.request, 200), clock.advance(1))
    assert tx.state is State.ACCEPTED
    return tx


def ack_2xx(tx: ServerTransaction) -> SIPRequest:
    return ack_for(tx.request, response(tx.request, 200))


# ---------------------------------------------------------------------- transitions

def test_invite_server_init_to_proceeding_on_request() -> None:
    invite = request()
    tx = ServerTransaction(invite, False, 0.0)
    assert tx.state is State.INIT
    assert summary(tx.receive_request(invite, 0.0)) == [("tu", INVITE_LINE)]
    assert tx.state is State.PROCEEDING
    assert tx.get_timer() is None  # waiting for the TU


def test_invite_server_proceeding_to_proceeding_on_request() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    # Before any provisional response there is nothing to repeat ...
    assert tx.receive_request(request(), clock.advance(0.5)) == []
    tx.send_response(response(tx.request, 180), clock.advance(0.1))
    # ... afterwards the latest one is sent again, and the TU never sees the copy.
    events = tx.receive_request(request(), clock.advance(0.5))
    assert summary(events) == [("send", "SIP/2.0 180 X")]
    assert tx.state is State.PROCEEDING


def test_invite_server_proceeding_to_proceeding_on_ack() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    assert tx.receive_request(ack_2xx(tx), clock.advance(0.1)) == []
    assert tx.state is State.PROCEEDING


def test_invite_server_proceeding_to_proceeding_on_tu_1xx() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    trying = response(tx.request, 100, reason="Trying")
    events = tx.send_response(trying, clock.advance(0.01))
    assert summary(events) == [("send", "SIP/2.0 100 Trying")]
    assert sent(events[0]) == trying.raw
    assert tx.state is State.PROCEEDING and tx.get_timer() is None


def test_invite_server_proceeding_to_accepted_on_tu_2xx() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.send_response(response(tx.request, 200), clock.advance(2))
    assert summary(events) == [("send", "SIP/2.0 200 X")]
    assert tx.state is State.ACCEPTED
    assert tx.timer_deadline(Timer.L) == 34.0  # 64*T1; no timer G for a 2xx


def test_invite_server_proceeding_to_completed_on_tu_300_699() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.send_response(response(tx.request, 486), clock.advance(2))
    assert summary(events) == [("send", "SIP/2.0 486 X")]
    assert tx.state is State.COMPLETED
    assert (tx.timer_deadline(Timer.G), tx.timer_deadline(Timer.H)) == (2.5, 34.0)
    assert tx.to_tag == "uas1"


def test_invite_server_proceeding_to_terminated_on_transport_error() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    tx.send_response(response(tx.request, 180), clock.advance(0.1))
    events = tx.report_transport_error(clock.now)
    assert summary(events) == [("transport error",), ("terminated",)]


def test_invite_server_completed_to_completed_on_request() -> None:
    clock = FakeClock()
    tx = completed(clock)
    events = tx.receive_request(request(), clock.advance(0.1))
    assert summary(events) == [("send", "SIP/2.0 486 X")]
    assert tx.state is State.COMPLETED


def test_invite_server_completed_to_completed_on_timer_g() -> None:
    clock = FakeClock()
    tx = completed(clock)
    assert summary(clock.fire(tx)) == [("send", "SIP/2.0 486 X")]
    assert clock.now == 1.5
    assert tx.timer_deadline(Timer.G) == 2.5  # min(2*T1, T2)


def test_invite_server_completed_to_confirmed_on_ack() -> None:
    clock = FakeClock()
    tx = completed(clock)
    ack = ack_for(tx.request, response(tx.request, 486))
    assert tx.receive_request(ack, clock.advance(0.1)) == []  # the ACK is not passed up
    assert tx.state is State.CONFIRMED
    assert tx.get_timer() == pytest.approx(1.1 + 5.0)  # timer I = T4; G and H stopped


def test_invite_server_completed_to_terminated_on_timer_h() -> None:
    clock = FakeClock()
    tx = completed(clock, reliable=True)  # no G, so H is next
    assert summary(clock.fire(tx)) == [("timeout", "H"), ("terminated",)]
    assert clock.now == 33.0


def test_invite_server_completed_to_terminated_on_transport_error() -> None:
    clock = FakeClock()
    tx = completed(clock)
    events = tx.report_transport_error(clock.now)
    assert summary(events) == [("transport error",), ("terminated",)]


def test_invite_server_confirmed_to_confirmed_on_ack() -> None:
    clock = FakeClock()
    tx = confirmed(clock)
    ack = ack_for(tx.request, response(tx.request, 486))
    assert tx.receive_request(ack, clock.advance(0.1)) == []
    assert tx.state is State.CONFIRMED


def test_invite_server_confirmed_to_confirmed_on_request() -> None:
    clock = FakeClock()
    tx = confirmed(clock)
    assert tx.receive_request(request(), clock.advance(0.1)) == []
    assert tx.state is State.CONFIRMED


def test_invite_server_confirmed_to_terminated_on_timer_i() -> None:
    clock = FakeClock()
    tx = confirmed(clock)
    assert summary(clock.fire(tx)) == [("terminated",)]
    assert clock.now == pytest.approx(1.1 + 5.0)


def test_invite_server_accepted_to_accepted_on_request() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    # RFC 6026: absorbed, neither answered (the TU retransmits its 2xx) nor passed up.
    assert tx.receive_request(request(), clock.advance(0.5)) == []
    assert tx.state is State.ACCEPTED


def test_invite_server_accepted_to_accepted_on_ack() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    events = tx.receive_request(ack_2xx(tx), clock.advance(0.1))
    assert summary(events) == [("tu", ACK_LINE)]
    assert tx.state is State.ACCEPTED


def test_invite_server_accepted_to_accepted_on_tu_2xx() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    events = tx.send_response(response(tx.request, 200), clock.advance(0.5))
    assert summary(events) == [("send", "SIP/2.0 200 X")]
    assert tx.state is State.ACCEPTED
    assert tx.timer_deadline(Timer.L) == 33.0  # not restarted


def test_invite_server_accepted_to_accepted_on_transport_error() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    assert summary(tx.report_transport_error(clock.now)) == [("transport error",)]
    assert tx.state is State.ACCEPTED


def test_invite_server_accepted_to_terminated_on_timer_l() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    assert summary(clock.fire(tx)) == [("terminated",)]
    assert clock.now == 33.0


# ---------------------------------------------------------------------- timers and misuse

def test_invite_server_timer_g_doubles_up_to_t2_until_timer_h_over_udp() -> None:
    clock = FakeClock()
    tx = completed(clock)  # final response sent at t=1
    sent_at = []
    while tx.state is State.COMPLETED:
        if summary(clock.fire(tx))[:1] == [("send", "SIP/2.0 486 X")]:
            sent_at.append(clock.now)
    assert sent_at == [1.5, 2.5, 4.5, 8.5, 12.5, 16.5, 20.5, 24.5, 28.5, 32.5]
    assert clock.now == 33.0


def test_invite_server_never_retransmits_over_a_reliable_transport() -> None:
    tx = completed(FakeClock(), reliable=True)
    assert tx.timer_deadline(Timer.G) is None and tx.get_timer() == 33.0


def test_invite_server_timer_i_is_zero_over_a_reliable_transport() -> None:
    clock = FakeClock()
    tx = completed(clock, reliable=True)
    ack = ack_for(tx.request, response(tx.request, 486))
    assert summary(tx.receive_request(ack, clock.advance(0.1))) == [("terminated",)]


def test_invite_server_timer_l_runs_over_a_reliable_transport_too() -> None:
    tx = accepted(FakeClock(), reliable=True)
    assert tx.get_timer() == 33.0


@pytest.mark.parametrize("status", [180, 200, 486])
def test_invite_server_refuses_a_response_after_a_non_2xx_final(status: int) -> None:
    tx = completed(FakeClock())
    with pytest.raises(TransactionError):
        tx.send_response(response(tx.request, status), 2.0)


@pytest.mark.parametrize("status", [183, 486])
def test_invite_server_accepts_only_2xx_once_accepted(status: int) -> None:
    tx = accepted(FakeClock())
    with pytest.raises(TransactionError):
        tx.send_response(response(tx.request, status), 2.0)


def test_invite_server_refuses_a_response_once_terminated() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    tx.report_transport_error(0.0)
    with pytest.raises(TransactionError):
        tx.send_response(response(tx.request, 200), 1.0)


def test_server_transaction_sends_the_response_with_its_edits() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    busy = response(tx.request, 486, to_tag=None)
    busy.replace_header("to", "Bob <sip:bob@biloxi.example.com>;tag=edited")
    (send,) = tx.send_response(busy, 1.0)
    assert sent(send) == busy.serialize()
    assert tx.to_tag == "edited"  # RFC 2543 ACK matching must see the tag that was sent


def test_an_ack_never_creates_a_server_transaction() -> None:
    with pytest.raises(TransactionError):
        ServerTransaction(request("ACK"), False, 0.0)
