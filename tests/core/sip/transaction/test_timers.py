"""Timer values (RFC 3261 table 4, RFC 6026 L and M) and their re-arming rules."""

from __future__ import annotations

import pytest

from siprouter.core.sip.transaction import (
    DEFAULT_TIMERS,
    ServerTransaction,
    State,
    Terminated,
    Timer,
    TimerConfig,
)

from .helpers import FakeClock, request, response, summary

UDP = {
    Timer.A: 0.5, Timer.B: 32.0, Timer.C: 180.0, Timer.D: 32.0, Timer.E: 0.5, Timer.F: 32.0,
    Timer.G: 0.5, Timer.H: 32.0, Timer.I: 5.0, Timer.J: 32.0, Timer.K: 5.0, Timer.L: 32.0,
    Timer.M: 32.0,
}
TCP = {
    Timer.A: None, Timer.B: 32.0, Timer.C: 180.0, Timer.D: 0.0, Timer.E: None, Timer.F: 32.0,
    Timer.G: None, Timer.H: 32.0, Timer.I: 0.0, Timer.J: 0.0, Timer.K: 0.0, Timer.L: 32.0,
    Timer.M: 32.0,
}


@pytest.mark.parametrize("timer", list(Timer))
def test_initial_values_over_udp(timer: Timer) -> None:
    assert DEFAULT_TIMERS.initial(timer, reliable=False) == UDP[timer]


@pytest.mark.parametrize("timer", list(Timer))
def test_initial_values_over_reliable_transports(timer: Timer) -> None:
    assert DEFAULT_TIMERS.initial(timer, reliable=True) == TCP[timer]


def test_t1_scales_every_64_t1_timer() -> None:
    config = TimerConfig(t1=0.25)
    for timer in (Timer.B, Timer.F, Timer.H, Timer.J, Timer.L, Timer.M):
        assert config.initial(timer, reliable=False) == 16.0
    assert config.initial(Timer.A, reliable=False) == 0.25


def test_t4_and_d_are_configurable() -> None:
    config = TimerConfig(t4=2.0, d=40.0)
    assert config.initial(Timer.I, reliable=False) == 2.0
    assert config.initial(Timer.K, reliable=False) == 2.0
    assert config.initial(Timer.D, reliable=False) == 40.0


def test_timer_a_doubles_without_a_cap() -> None:
    intervals = [0.5]
    for _ in range(6):
        intervals.append(DEFAULT_TIMERS.doubled(Timer.A, intervals[-1]))
    assert intervals == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0]


@pytest.mark.parametrize("timer", [Timer.E, Timer.G])
def test_timers_e_and_g_double_up_to_t2(timer: Timer) -> None:
    intervals = [0.5]
    for _ in range(5):
        intervals.append(DEFAULT_TIMERS.doubled(timer, intervals[-1]))
    assert intervals == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_t2_caps_at_the_configured_value() -> None:
    assert TimerConfig(t2=1.5).doubled(Timer.E, 1.0) == 1.5


def test_b_and_f_overrides_replace_64_t1_on_any_transport() -> None:
    config = TimerConfig(t1=0.25, b=3.0, f=2.0)
    for reliable in (False, True):
        assert config.initial(Timer.B, reliable=reliable) == 3.0
        assert config.initial(Timer.F, reliable=reliable) == 2.0


def test_b_and_f_overrides_leave_the_other_64_t1_timers_alone() -> None:
    config = TimerConfig(t1=0.25, b=3.0, f=2.0)
    for timer in (Timer.H, Timer.J, Timer.L, Timer.M):
        assert config.initial(timer, reliable=False) == 16.0


def test_without_overrides_b_and_f_are_64_t1() -> None:
    assert (DEFAULT_TIMERS.b, DEFAULT_TIMERS.f) == (None, None)
    assert DEFAULT_TIMERS.initial(Timer.B, reliable=False) == 32.0


LINGER = (Timer.D, Timer.I, Timer.J, Timer.K, Timer.L, Timer.M)


@pytest.mark.parametrize("timer", LINGER)
def test_wait_replaces_every_linger_timer_over_udp(timer: Timer) -> None:
    assert TimerConfig(wait=5.0).initial(timer, reliable=False) == 5.0


def test_wait_keeps_the_wait_timers_zero_over_reliable_transports() -> None:
    config = TimerConfig(wait=5.0)
    for timer in (Timer.D, Timer.I, Timer.J, Timer.K):
        assert config.initial(timer, reliable=True) == 0.0
    for timer in (Timer.L, Timer.M):
        assert config.initial(timer, reliable=True) == 5.0


def test_wait_leaves_the_retransmission_and_timeout_timers_alone() -> None:
    config = TimerConfig(wait=5.0)
    for timer in (Timer.A, Timer.B, Timer.C, Timer.E, Timer.F, Timer.G, Timer.H):
        assert config.initial(timer, reliable=False) == UDP[timer]


def test_without_wait_the_linger_timers_are_the_rfc_ones() -> None:
    assert DEFAULT_TIMERS.wait is None
    assert [DEFAULT_TIMERS.initial(t, reliable=False) for t in LINGER] == [
        32.0, 5.0, 32.0, 5.0, 32.0, 32.0]


def test_a_server_transaction_resends_its_answer_until_wait_then_terminates() -> None:
    clock = FakeClock()
    register = request("REGISTER")
    tx = ServerTransaction(register, False, clock.now, timers=TimerConfig(wait=2.0))
    tx.receive_request(register, clock.now)
    tx.send_response(response(register, 200, reason="OK"), clock.now)
    assert tx.get_timer() == clock.now + 2.0
    again = tx.receive_request(request("REGISTER"), clock.advance(1.9))
    assert summary(again) == [("send", "SIP/2.0 200 OK")]
    clock.advance(0.1)
    assert tx.handle_timer(clock.now) == [Terminated()]
    assert tx.state is State.TERMINATED
