"""INVITE client transaction (RFC 3261 s17.1.1, RFC 6026 s7.2): one test per table row,
then the timer schedule over UDP and TCP."""

from __future__ import annotations

import pytest

from siprouter.core.sip.transaction import (
    ClientTransaction,
    State,
    Timer,
    TimerConfig,
    TransactionError,
)

from .helpers import ACK_LINE, INVITE_LINE, FakeClock, request, response, sent, summary

RINGING = "SIP/2.0 180 X"
OK = "SIP/2.0 200 X"
BUSY = "SIP/2.0 486 X"


def calling(clock: FakeClock, *, reliable: bool = False) -> ClientTransaction:
    tx = ClientTransaction(request(), reliable, clock.now)
    tx.send_request(clock.now)
    assert tx.state is State.CALLING
    return tx


def proceeding(clock: FakeClock) -> ClientTransaction:
    tx = calling(clock)
    tx.receive_response(response(tx.request, 180), clock.advance(0.1))
    assert tx.state is State.PROCEEDING
    return tx


def completed(clock: FakeClock) -> ClientTransaction:
    tx = calling(clock)
    tx.receive_response(response(tx.request, 486), clock.advance(0.1))
    assert tx.state is State.COMPLETED
    return tx


def accepted(clock: FakeClock) -> ClientTransaction:
    tx = calling(clock)
    tx.receive_response(response(tx.request, 200), clock.advance(0.1))
    assert tx.state is State.ACCEPTED
    return tx


# ---------------------------------------------------------------------- transitions

def test_invite_client_init_to_calling_on_send_request() -> None:
    tx = ClientTransaction(request(), False, 0.0)
    assert tx.state is State.INIT
    events = tx.send_request(0.0)
    assert summary(events) == [("send", INVITE_LINE)]
    assert sent(events[0]) == request().raw
    assert tx.state is State.CALLING
    assert (tx.timer_deadline(Timer.A), tx.timer_deadline(Timer.B)) == (0.5, 32.0)


def test_invite_client_calling_to_calling_on_timer_a() -> None:
    clock = FakeClock()
    tx = calling(clock)
    assert summary(clock.fire(tx)) == [("send", INVITE_LINE)]
    assert clock.now == 0.5
    assert tx.state is State.CALLING
    assert tx.timer_deadline(Timer.A) == 1.5  # re-armed at 2*T1


def test_invite_client_calling_to_terminated_on_timer_b() -> None:
    clock = FakeClock()
    tx = calling(clock, reliable=True)  # no timer A, so B is the next deadline
    assert summary(clock.fire(tx)) == [("timeout", "B"), ("terminated",)]
    assert clock.now == 32.0
    assert tx.state is State.TERMINATED and tx.get_timer() is None


def test_invite_client_calling_to_terminated_on_transport_error() -> None:
    clock = FakeClock()
    tx = calling(clock)
    assert summary(tx.report_transport_error(0.0)) == [("transport error",), ("terminated",)]
    assert tx.state is State.TERMINATED and tx.get_timer() is None


def test_invite_client_calling_to_proceeding_on_1xx() -> None:
    clock = FakeClock()
    tx = calling(clock)
    ringing = response(tx.request, 180)
    assert summary(tx.receive_response(ringing, clock.advance(0.2))) == [("tu", RINGING)]
    assert tx.state is State.PROCEEDING
    # The server is alive: no more retransmissions, and the proxy core's timer C, not B,
    # bounds the wait from now on.
    assert tx.get_timer() is None


def test_invite_client_calling_to_accepted_on_2xx() -> None:
    clock = FakeClock()
    tx = calling(clock)
    events = tx.receive_response(response(tx.request, 200), clock.advance(0.2))
    assert summary(events) == [("tu", OK)]  # no ACK: the TU acks a 2xx end to end
    assert tx.state is State.ACCEPTED
    assert tx.get_timer() == pytest.approx(0.2 + 32.0)  # timer M = 64*T1


def test_invite_client_calling_to_completed_on_300_699() -> None:
    clock = FakeClock()
    tx = calling(clock)
    events = tx.receive_response(response(tx.request, 486), clock.advance(0.2))
    assert summary(events) == [("send", ACK_LINE), ("tu", BUSY)]
    assert tx.state is State.COMPLETED
    assert tx.timer_deadline(Timer.D) == pytest.approx(32.2)
    assert tx.timer_deadline(Timer.A) is None and tx.timer_deadline(Timer.B) is None


def test_invite_client_proceeding_to_proceeding_on_1xx() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.receive_response(response(tx.request, 183, reason="Y"), clock.advance(1))
    assert summary(events) == [("tu", "SIP/2.0 183 Y")]
    assert tx.state is State.PROCEEDING


def test_invite_client_proceeding_to_accepted_on_2xx() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.receive_response(response(tx.request, 200), clock.advance(1))
    assert summary(events) == [("tu", OK)]
    assert tx.state is State.ACCEPTED
    assert tx.timer_deadline(Timer.M) == pytest.approx(clock.now + 32.0)


def test_invite_client_proceeding_to_completed_on_300_699() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.receive_response(response(tx.request, 603), clock.advance(1))
    assert summary(events) == [("send", ACK_LINE), ("tu", "SIP/2.0 603 X")]
    assert tx.state is State.COMPLETED


def test_invite_client_completed_to_completed_on_300_699() -> None:
    clock = FakeClock()
    tx = calling(clock)
    busy = response(tx.request, 486)
    first = tx.receive_response(busy, clock.advance(0.1))
    again = tx.receive_response(busy, clock.advance(0.4))
    # The retransmitted final is not passed up again; our ACK is repeated, byte for byte.
    assert summary(again) == [("send", ACK_LINE)]
    assert sent(again[0]) == sent(first[0])
    assert tx.state is State.COMPLETED


def test_invite_client_completed_to_completed_on_1xx() -> None:
    clock = FakeClock()
    tx = completed(clock)
    assert tx.receive_response(response(tx.request, 180), clock.advance(0.1)) == []
    assert tx.state is State.COMPLETED


def test_invite_client_completed_to_completed_on_2xx() -> None:
    clock = FakeClock()
    tx = completed(clock)
    assert tx.receive_response(response(tx.request, 200), clock.advance(0.1)) == []
    assert tx.state is State.COMPLETED


def test_invite_client_completed_to_terminated_on_timer_d() -> None:
    clock = FakeClock()
    tx = completed(clock)
    assert summary(clock.fire(tx)) == [("terminated",)]
    assert clock.now == pytest.approx(0.1 + 32.0)


def test_invite_client_completed_to_terminated_on_transport_error() -> None:
    clock = FakeClock()
    tx = completed(clock)
    events = tx.report_transport_error(clock.advance(0.1))
    assert summary(events) == [("transport error",), ("terminated",)]


def test_invite_client_accepted_to_accepted_on_2xx() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    ok = response(tx.request, 200)
    # RFC 6026: each 2xx retransmission (or a 2xx from another fork) reaches the TU.
    for _ in range(3):
        assert summary(tx.receive_response(ok, clock.advance(0.5))) == [("tu", OK)]
    other_fork = response(tx.request, 200, to_tag="uas2")
    assert summary(tx.receive_response(other_fork, clock.advance(0.5))) == [("tu", OK)]
    assert tx.state is State.ACCEPTED
    assert tx.timer_deadline(Timer.M) == pytest.approx(0.1 + 32.0)  # not restarted


def test_invite_client_accepted_to_accepted_on_1xx() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    assert tx.receive_response(response(tx.request, 180), clock.advance(0.1)) == []
    assert tx.state is State.ACCEPTED


def test_invite_client_accepted_to_accepted_on_300_699() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    assert tx.receive_response(response(tx.request, 486), clock.advance(0.1)) == []
    assert tx.state is State.ACCEPTED


def test_invite_client_accepted_to_terminated_on_timer_m() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    assert summary(clock.fire(tx)) == [("terminated",)]
    assert clock.now == pytest.approx(0.1 + 32.0)


# ---------------------------------------------------------------------- timers and misuse

def test_invite_client_retransmits_at_t1_doubling_until_timer_b_over_udp() -> None:
    clock = FakeClock()
    tx = calling(clock)
    sent_at = []
    while tx.state is State.CALLING:
        events = clock.fire(tx)
        if ("send", INVITE_LINE) in summary(events):
            sent_at.append(clock.now)
    assert sent_at == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    assert clock.now == 32.0 and tx.state is State.TERMINATED


def test_invite_client_timers_scale_with_t1() -> None:
    clock = FakeClock()
    tx = ClientTransaction(request(), False, 0.0, timers=TimerConfig(t1=0.1))
    tx.send_request(0.0)
    assert (tx.timer_deadline(Timer.A), tx.timer_deadline(Timer.B)) == (0.1, pytest.approx(6.4))
    clock.fire(tx)
    assert tx.timer_deadline(Timer.A) == pytest.approx(0.3)


def test_invite_client_never_retransmits_over_a_reliable_transport() -> None:
    clock = FakeClock()
    tx = calling(clock, reliable=True)
    assert tx.timer_deadline(Timer.A) is None
    assert tx.get_timer() == 32.0  # only timer B


def test_invite_client_timer_d_is_zero_over_a_reliable_transport() -> None:
    clock = FakeClock()
    tx = calling(clock, reliable=True)
    events = tx.receive_response(response(tx.request, 486), clock.advance(0.1))
    assert summary(events) == [("send", ACK_LINE), ("tu", BUSY), ("terminated",)]
    assert tx.state is State.TERMINATED and tx.get_timer() is None


def test_invite_client_timer_m_runs_over_a_reliable_transport_too() -> None:
    clock = FakeClock()
    tx = calling(clock, reliable=True)
    tx.receive_response(response(tx.request, 200), clock.advance(0.1))
    assert tx.timer_deadline(Timer.M) == pytest.approx(32.1)


def test_invite_client_overdue_timers_fire_in_deadline_order() -> None:
    tx = calling(FakeClock())
    # An owner that was asleep for 40 s: A fires once (re-armed from now), then B ends it.
    events = tx.handle_timer(40.0)
    assert summary(events) == [("send", INVITE_LINE), ("timeout", "B"), ("terminated",)]


def test_invite_client_timer_call_before_the_deadline_does_nothing() -> None:
    tx = calling(FakeClock())
    assert tx.handle_timer(0.49) == []
    assert tx.state is State.CALLING and tx.get_timer() == 0.5


def test_invite_client_refuses_a_second_send() -> None:
    tx = calling(FakeClock())
    with pytest.raises(TransactionError):
        tx.send_request(1.0)


def test_invite_client_send_defaults_to_creation_time() -> None:
    tx = ClientTransaction(request(), False, 7.0)
    tx.send_request()
    assert tx.get_timer() == 7.5


def test_invite_client_ignores_everything_once_terminated() -> None:
    clock = FakeClock()
    tx = calling(clock)
    tx.report_transport_error(0.0)
    assert tx.receive_response(response(tx.request, 200), 1.0) == []
    assert tx.report_transport_error(1.0) == []
    assert tx.handle_timer(100.0) == []


def test_client_transaction_needs_a_branch_and_is_never_an_ack() -> None:
    with pytest.raises(TransactionError):
        ClientTransaction(request("ACK"), False, 0.0)
    no_branch = request()
    no_branch.replace_header("via", "SIP/2.0/UDP client.example.com")
    with pytest.raises(TransactionError):
        ClientTransaction(no_branch, False, 0.0)


def test_client_transaction_sends_the_request_with_its_edits() -> None:
    req = request()
    req.prepend_via("SIP/2.0/UDP proxy.example.com;branch=z9hG4bKproxy")
    tx = ClientTransaction(req, False, 0.0)
    assert tx.branch == "z9hG4bKproxy"
    (send,) = tx.send_request(0.0)
    assert sent(send) == req.serialize()
    assert tx.request.top_via is not None and tx.request.top_via.host == "proxy.example.com"


def test_client_transaction_keeps_the_first_final_response() -> None:
    clock = FakeClock()
    tx = accepted(clock)
    tx.receive_response(response(tx.request, 200, to_tag="uas2"), 1.0)
    assert tx.final_response is not None and tx.final_response.to is not None
    assert tx.final_response.to.tag == "uas1"


def test_invite_client_timer_b_override_ends_calling_at_its_own_time() -> None:
    clock = FakeClock()
    tx = ClientTransaction(request(), False, 0.0, timers=TimerConfig(b=2.5))
    tx.send_request(0.0)
    assert tx.timer_deadline(Timer.B) == 2.5
    events: list = []
    while tx.state is not State.TERMINATED:
        events = clock.fire(tx)
    assert clock.now == 2.5 and summary(events)[-2:] == [("timeout", "B"), ("terminated",)]
