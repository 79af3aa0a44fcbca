"""Non-INVITE server transaction (RFC 3261 s17.2.2): one test per table row, then timer J
over UDP and TCP."""

from __future__ import annotations

import pytest

from siprouter.core.sip.transaction import ServerTransaction, State, Timer, TransactionError

from .helpers import FakeClock, request, response, summary

REGISTER_LINE = "REGISTER sip:bob@biloxi.example.com SIP/2.0"


def trying(clock: FakeClock, *, reliable: bool = False) -> ServerTransaction:
    register = request("REGISTER")
    tx = ServerTransaction(register, reliable, clock.now)
    tx.receive_request(register, clock.now)
    assert tx.state is State.TRYING
    return tx


def proceeding(clock: FakeClock) -> ServerTransaction:
    tx = trying(clock)
    tx.send_response(response(tx.request, 100, reason="Trying"), clock.advance(0.1))
    assert tx.state is State.PROCEEDING
    return tx


def completed(clock: FakeClock, *, reliable: bool = False) -> ServerTransaction:
    tx = trying(clock, reliable=reliable)
    tx.send_response(response(tx.request, 200, reason="OK"), clock.advance(0.1))
    assert tx.state is State.COMPLETED
    return tx


# ---------------------------------------------------------------------- transitions

def test_non_invite_server_init_to_trying_on_request() -> None:
    register = request("REGISTER")
    tx = ServerTransaction(register, False, 0.0)
    assert summary(tx.receive_request(register, 0.0)) == [("tu", REGISTER_LINE)]
    assert tx.state is State.TRYING and tx.get_timer() is None


def test_non_invite_server_trying_to_trying_on_request() -> None:
    clock = FakeClock()
    tx = trying(clock)
    assert tx.receive_request(request("REGISTER"), clock.advance(0.5)) == []
    assert tx.state is State.TRYING


def test_non_invite_server_trying_to_proceeding_on_tu_1xx() -> None:
    clock = FakeClock()
    tx = trying(clock)
    events = tx.send_response(response(tx.request, 100, reason="Trying"), clock.advance(0.1))
    assert summary(events) == [("send", "SIP/2.0 100 Trying")]
    assert tx.state is State.PROCEEDING


@pytest.mark.parametrize("status", [200, 401, 603])
def test_non_invite_server_trying_to_completed_on_tu_200_699(status: int) -> None:
    clock = FakeClock()
    tx = trying(clock)
    events = tx.send_response(response(tx.request, status), clock.advance(0.1))
    assert summary(events) == [("send", f"SIP/2.0 {status} X")]
    assert tx.state is State.COMPLETED
    assert tx.timer_deadline(Timer.J) == pytest.approx(0.1 + 32.0)


def test_non_invite_server_proceeding_to_proceeding_on_request() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.receive_request(request("REGISTER"), clock.advance(0.5))
    assert summary(events) == [("send", "SIP/2.0 100 Trying")]
    assert tx.state is State.PROCEEDING


def test_non_invite_server_proceeding_to_proceeding_on_tu_1xx() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.send_response(response(tx.request, 182, reason="Queued"), clock.advance(1))
    assert summary(events) == [("send", "SIP/2.0 182 Queued")]
    # A later retransmission gets the latest provisional response.
    again = tx.receive_request(request("REGISTER"), clock.advance(1))
    assert summary(again) == [("send", "SIP/2.0 182 Queued")]


def test_non_invite_server_proceeding_to_completed_on_tu_200_699() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.send_response(response(tx.request, 200, reason="OK"), clock.advance(1))
    assert summary(events) == [("send", "SIP/2.0 200 OK")]
    assert tx.state is State.COMPLETED


def test_non_invite_server_proceeding_to_terminated_on_transport_error() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.report_transport_error(clock.now)
    assert summary(events) == [("transport error",), ("terminated",)]


def test_non_invite_server_completed_to_completed_on_request() -> None:
    clock = FakeClock()
    tx = completed(clock)
    events = tx.receive_request(request("REGISTER"), clock.advance(1))
    assert summary(events) == [("send", "SIP/2.0 200 OK")]
    assert tx.state is State.COMPLETED


def test_non_invite_server_completed_to_completed_on_tu_200_699() -> None:
    clock = FakeClock()
    tx = completed(clock)
    # s17.2.2: another final from the TU is discarded, and the first stays the one repeated.
    assert tx.send_response(response(tx.request, 500), clock.advance(1)) == []
    again = tx.receive_request(request("REGISTER"), clock.advance(1))
    assert summary(again) == [("send", "SIP/2.0 200 OK")]


def test_non_invite_server_completed_to_terminated_on_timer_j() -> None:
    clock = FakeClock()
    tx = completed(clock)
    assert summary(clock.fire(tx)) == [("terminated",)]
    assert clock.now == pytest.approx(0.1 + 32.0)


def test_non_invite_server_completed_to_terminated_on_transport_error() -> None:
    clock = FakeClock()
    tx = completed(clock)
    events = tx.report_transport_error(clock.now)
    assert summary(events) == [("transport error",), ("terminated",)]


# ---------------------------------------------------------------------- timers and misuse

def test_non_invite_server_timer_j_is_zero_over_a_reliable_transport() -> None:
    clock = FakeClock()
    tx = trying(clock, reliable=True)
    events = tx.send_response(response(tx.request, 200, reason="OK"), clock.advance(0.1))
    assert summary(events) == [("send", "SIP/2.0 200 OK"), ("terminated",)]
    assert tx.get_timer() is None


def test_non_invite_server_refuses_a_provisional_after_the_final() -> None:
    tx = completed(FakeClock())
    with pytest.raises(TransactionError):
        tx.send_response(response(tx.request, 180), 1.0)


def test_non_invite_server_ignores_an_ack() -> None:
    clock = FakeClock()
    tx = trying(clock)
    assert tx.receive_request(request("ACK", cseq_method="ACK"), clock.advance(0.1)) == []
    assert tx.state is State.TRYING
