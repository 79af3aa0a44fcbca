"""Non-INVITE client transaction (RFC 3261 s17.1.2): one test per table row, then timer E's
schedule and the reliable-transport rules."""

from __future__ import annotations

import pytest

from siprouter.core.sip.transaction import ClientTransaction, State, Timer, TimerConfig

from .helpers import FakeClock, request, response, summary

OPTIONS_LINE = "OPTIONS sip:bob@biloxi.example.com SIP/2.0"


def trying(clock: FakeClock, *, reliable: bool = False, method: str = "OPTIONS") -> ClientTransaction:
    tx = ClientTransaction(request(method), reliable, clock.now)
    tx.send_request(clock.now)
    assert tx.state is State.TRYING
    return tx


def proceeding(clock: FakeClock) -> ClientTransaction:
    tx = trying(clock)
    tx.receive_response(response(tx.request, 100), clock.advance(0.1))
    assert tx.state is State.PROCEEDING
    return tx


def completed(clock: FakeClock) -> ClientTransaction:
    tx = trying(clock)
    tx.receive_response(response(tx.request, 200), clock.advance(0.1))
    assert tx.state is State.COMPLETED
    return tx


# ---------------------------------------------------------------------- transitions

def test_non_invite_client_init_to_trying_on_send_request() -> None:
    tx = ClientTransaction(request("OPTIONS"), False, 0.0)
    assert summary(tx.send_request(0.0)) == [("send", OPTIONS_LINE)]
    assert tx.state is State.TRYING
    assert (tx.timer_deadline(Timer.E), tx.timer_deadline(Timer.F)) == (0.5, 32.0)


def test_non_invite_client_trying_to_trying_on_timer_e() -> None:
    clock = FakeClock()
    tx = trying(clock)
    assert summary(clock.fire(tx)) == [("send", OPTIONS_LINE)]
    assert tx.state is State.TRYING
    assert tx.timer_deadline(Timer.E) == 1.5  # min(2*T1, T2) later


def test_non_invite_client_trying_to_terminated_on_timer_f() -> None:
    clock = FakeClock()
    tx = trying(clock, reliable=True)
    assert summary(clock.fire(tx)) == [("timeout", "F"), ("terminated",)]
    assert clock.now == 32.0


def test_non_invite_client_trying_to_terminated_on_transport_error() -> None:
    tx = trying(FakeClock())
    assert summary(tx.report_transport_error(0.0)) == [("transport error",), ("terminated",)]


def test_non_invite_client_trying_to_proceeding_on_1xx() -> None:
    clock = FakeClock()
    tx = trying(clock)
    events = tx.receive_response(response(tx.request, 100, reason="Trying"), clock.advance(0.1))
    assert summary(events) == [("tu", "SIP/2.0 100 Trying")]
    assert tx.state is State.PROCEEDING
    # E and F keep their deadlines across the change of state.
    assert (tx.timer_deadline(Timer.E), tx.timer_deadline(Timer.F)) == (0.5, 32.0)


@pytest.mark.parametrize("status", [200, 404, 699])
def test_non_invite_client_trying_to_completed_on_200_699(status: int) -> None:
    clock = FakeClock()
    tx = trying(clock)
    events = tx.receive_response(response(tx.request, status), clock.advance(0.1))
    assert summary(events) == [("tu", f"SIP/2.0 {status} X")]  # no ACK outside INVITE
    assert tx.state is State.COMPLETED
    assert tx.get_timer() == pytest.approx(0.1 + 5.0)  # timer K = T4


def test_non_invite_client_proceeding_to_proceeding_on_timer_e() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    assert summary(clock.fire(tx)) == [("send", OPTIONS_LINE)]
    assert clock.now == 0.5
    assert tx.state is State.PROCEEDING
    assert tx.timer_deadline(Timer.E) == 4.5  # reset to T2, not doubled


def test_non_invite_client_proceeding_to_terminated_on_timer_f() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events: list[tuple[str, ...]] = []
    while tx.state is State.PROCEEDING:
        events = summary(clock.fire(tx))
    assert events == [("timeout", "F"), ("terminated",)]
    assert clock.now == 32.0


def test_non_invite_client_proceeding_to_terminated_on_transport_error() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.report_transport_error(clock.advance(0.1))
    assert summary(events) == [("transport error",), ("terminated",)]


def test_non_invite_client_proceeding_to_proceeding_on_1xx() -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.receive_response(response(tx.request, 182, reason="Queued"), clock.advance(1))
    assert summary(events) == [("tu", "SIP/2.0 182 Queued")]
    assert tx.state is State.PROCEEDING


@pytest.mark.parametrize("status", [202, 481])
def test_non_invite_client_proceeding_to_completed_on_200_699(status: int) -> None:
    clock = FakeClock()
    tx = proceeding(clock)
    events = tx.receive_response(response(tx.request, status), clock.advance(1))
    assert summary(events) == [("tu", f"SIP/2.0 {status} X")]
    assert tx.state is State.COMPLETED
    assert tx.timer_deadline(Timer.E) is None and tx.timer_deadline(Timer.F) is None


def test_non_invite_client_completed_to_completed_on_1xx() -> None:
    clock = FakeClock()
    tx = completed(clock)
    assert tx.receive_response(response(tx.request, 100), clock.advance(0.1)) == []
    assert tx.state is State.COMPLETED


def test_non_invite_client_completed_to_completed_on_200_699() -> None:
    clock = FakeClock()
    tx = completed(clock)
    # Retransmissions of the final response are buffered here, never passed up twice.
    assert tx.receive_response(response(tx.request, 200), clock.advance(0.1)) == []
    assert tx.receive_response(response(tx.request, 500), clock.advance(0.1)) == []
    assert tx.state is State.COMPLETED


def test_non_invite_client_completed_to_terminated_on_timer_k() -> None:
    clock = FakeClock()
    tx = completed(clock)
    assert summary(clock.fire(tx)) == [("terminated",)]
    assert clock.now == pytest.approx(0.1 + 5.0)


# ---------------------------------------------------------------------- timers

def test_non_invite_client_timer_e_doubles_up_to_t2_until_timer_f_over_udp() -> None:
    clock = FakeClock()
    tx = trying(clock)
    sent_at = []
    while tx.state is State.TRYING:
        if summary(clock.fire(tx))[:1] == [("send", OPTIONS_LINE)]:
            sent_at.append(clock.now)
    assert sent_at == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    assert clock.now == 32.0


def test_non_invite_client_timer_e_goes_to_t2_once_proceeding() -> None:
    clock = FakeClock()
    tx = trying(clock)
    clock.fire(tx)  # 0.5, next at 1.5
    tx.receive_response(response(tx.request, 100), clock.advance(0.2))
    sent_at = []
    for _ in range(3):
        clock.fire(tx)
        sent_at.append(clock.now)
    assert sent_at == [1.5, 5.5, 9.5]


def test_non_invite_client_never_retransmits_over_a_reliable_transport() -> None:
    clock = FakeClock()
    tx = trying(clock, reliable=True)
    assert tx.timer_deadline(Timer.E) is None and tx.get_timer() == 32.0


def test_non_invite_client_timer_k_is_zero_over_a_reliable_transport() -> None:
    clock = FakeClock()
    tx = trying(clock, reliable=True)
    events = tx.receive_response(response(tx.request, 200), clock.advance(0.1))
    assert summary(events) == [("tu", "SIP/2.0 200 X"), ("terminated",)]
    assert tx.state is State.TERMINATED


def test_cancel_runs_the_non_invite_client_machine() -> None:
    tx = trying(FakeClock(), method="CANCEL")
    assert tx.spec.slug == "non_invite_client"


def test_non_invite_client_timer_f_override_ends_it_at_its_own_time() -> None:
    clock = FakeClock()
    tx = ClientTransaction(request("OPTIONS"), False, 0.0, timers=TimerConfig(f=3.0))
    tx.send_request(0.0)
    tx.receive_response(response(tx.request, 100), clock.advance(0.2))
    assert tx.timer_deadline(Timer.F) == 3.0  # kept in Proceeding
    events: list = []
    while tx.state is not State.TERMINATED:
        events = clock.fire(tx)
    assert clock.now == 3.0 and summary(events)[-2:] == [("timeout", "F"), ("terminated",)]
