"""RFC 3261 s17 transaction timers (table 4) and RFC 6026's L and M: values and re-arming.

Nothing here reads a clock. A timer is a duration; the transaction adds it to the `now` it was
given and reports the earliest deadline through ``get_timer()`` (aioquic's convention), and
the owner calls ``handle_timer(now)`` when that time has come.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Timer(enum.Enum):
    """The transaction timers, named as in RFC 3261 table 4 and RFC 6026 s8.3/s8.4."""

    # Members are singletons: identity hashing (Enum's hashes the name in Python) makes the
    # per-message table look-ups cheaper.
    __hash__ = object.__hash__

    A = "A"  # INVITE request retransmission (client, unreliable only)
    B = "B"  # INVITE transaction timeout (client)
    C = "C"  # proxy INVITE timeout (s16.6 step 11): the proxy core's, not a transaction's
    D = "D"  # wait for response retransmissions (INVITE client, Completed)
    E = "E"  # non-INVITE request retransmission (client, unreliable only)
    F = "F"  # non-INVITE transaction timeout (client)
    G = "G"  # INVITE final response retransmission (server, unreliable only)
    H = "H"  # wait for ACK receipt (INVITE server)
    I = "I"  # noqa: E741 - the RFC's name; wait for ACK retransmissions (INVITE server)
    J = "J"  # wait for non-INVITE request retransmissions (server)
    K = "K"  # wait for response retransmissions (non-INVITE client)
    L = "L"  # RFC 6026: wait for INVITE retransmissions after a 2xx (INVITE server)
    M = "M"  # RFC 6026: wait for 2xx retransmissions (INVITE client, Accepted)


RETRANSMISSION_TIMERS: frozenset[Timer] = frozenset({Timer.A, Timer.E, Timer.G})
"""Timers that only drive retransmissions; never started over reliable transports
(RFC 3261 s17.1.1.2, s17.1.2.2, s17.2.1)."""

WAIT_TIMERS: frozenset[Timer] = frozenset({Timer.D, Timer.I, Timer.J, Timer.K})
"""Timers that absorb retransmissions on unreliable transports; zero over reliable ones,
so the transaction terminates as soon as it enters the waiting state."""

LINGER_TIMERS: frozenset[Timer] = frozenset({Timer.D, Timer.I, Timer.J, Timer.K, Timer.L, Timer.M})
"""Timers that keep an ended transaction around to absorb what is still on its way (the
wait timers and RFC 6026's L and M): what `TimerConfig.wait` replaces."""


@dataclass(frozen=True, slots=True)
class TimerConfig:
    """The configurable base values, in seconds.

    Attributes:
        t1: RTT estimate (RFC 3261 default 500 ms); A, E and G start at T1, B, F, H, J, L
            and M are 64*T1.
        t2: cap of the non-INVITE request and INVITE response retransmit interval (4 s).
        t4: how long a message may stay in the network (5 s); I and K.
        d: timer D over unreliable transports (RFC 3261: at least 32 s).
        c: timer C, for the proxy core (RFC 3261: more than 3 minutes).
        b: timer B when set, instead of 64*T1 (a proxy's own limit on an INVITE that gets no
            answer at all: Kamailio's `fr_timer`, independent of T1).
        f: timer F when set, instead of 64*T1 (the same for non-INVITE requests).
        h: timer H when set, instead of 64*T1 (Kamailio retransmits a negative final reply
            to an INVITE, waiting for its ACK, until `fr_timer`).
        wait: when set, D, I, J, K, L and M all last this long instead (Kamailio's
            `wt_timer`: a proxy keeps an ended transaction a few seconds, not the RFC's 32);
            D, I, J and K stay zero over reliable transports.
    """

    t1: float = 0.5
    t2: float = 4.0
    t4: float = 5.0
    d: float = 32.0
    c: float = 180.0
    b: float | None = None
    f: float | None = None
    h: float | None = None
    wait: float | None = None
    # initial() of every timer, for unreliable [0] and reliable [1] transports, made on
    # first use (a transaction asks on every state it enters)
    _tables: list[dict[Timer, float | None]] = field(
        default_factory=list, init=False, repr=False, compare=False, hash=False)
    # plans() by (machine, reliable)
    _plans: dict[tuple[int, bool], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def plans(self, machine: object, timers_of: dict[Any, tuple[Timer, ...]],
              reliable: bool) -> dict[Any, tuple[tuple[Timer, ...], tuple[tuple[Timer, float],
                                                                       ...], tuple[Timer, ...]]]:
        """What entering each state of `machine` (whose `timers_of` lists the timers of
        each state) does with these durations: (its timers, those armed with their duration,
        those that fire at once), states without timers left out; made once per machine and
        transport kind (shared: do not modify it)."""
        key = (id(machine), reliable)
        got = self._plans.get(key)
        if got is None:
            durations = self.durations(reliable)
            got = {}
            for state, wanted in timers_of.items():
                if not wanted:
                    continue
                timed = tuple((t, d) for t in wanted if (d := durations[t]) is not None and d > 0)
                immediate = tuple(t for t in wanted
                                  if (d := durations[t]) is not None and d <= 0)
                got[state] = (wanted, timed, immediate)
            self._plans[key] = got
        return got

    def durations(self, reliable: bool) -> dict[Timer, float | None]:
        """`initial()` of every timer, as a table (shared: do not modify it)."""
        tables = self._tables
        if not tables:
            tables.append({t: self._initial(t, False) for t in Timer})
            tables.append({t: self._initial(t, True) for t in Timer})
        return tables[reliable]

    def initial(self, timer: Timer, reliable: bool) -> float | None:
        """The first duration of `timer` for a transaction over a reliable transport or
        not; None when the timer is not started at all (retransmissions over TCP/TLS)."""
        return self.durations(reliable)[timer]

    def _initial(self, timer: Timer, reliable: bool) -> float | None:
        if reliable and timer in RETRANSMISSION_TIMERS:
            return None
        if reliable and timer in WAIT_TIMERS:
            return 0.0
        if self.wait is not None and timer in LINGER_TIMERS:
            return self.wait
        if timer in RETRANSMISSION_TIMERS:
            return self.t1
        if timer is Timer.D:
            return self.d
        if timer in (Timer.I, Timer.K):
            return self.t4
        if timer is Timer.C:
            return self.c
        if timer is Timer.B and self.b is not None:
            return self.b
        if timer is Timer.F and self.f is not None:
            return self.f
        if timer is Timer.H and self.h is not None:
            return self.h
        # B, F, H, J, L, M
        return 64 * self.t1

    def doubled(self, timer: Timer, interval: float) -> float:
        """The next interval of a retransmission timer that just fired after `interval`:
        A doubles without bound (B ends it), E and G double up to T2 (s17.1.2.2, s17.2.1)."""
        if timer is Timer.A:
            return 2 * interval
        return min(2 * interval, self.t2)


DEFAULT_TIMERS = TimerConfig()
"""RFC 3261's recommended values."""
