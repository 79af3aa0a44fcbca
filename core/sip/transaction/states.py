"""The four RFC 3261 s17 transaction state machines as data (h11's ``_state.py`` idea).

Each machine is a table ``(state, event) -> Transition(next state, actions)`` plus the timers
that run in each state. Everything that decides what a transaction does lives here; the
runner (`machine.Transaction`) only looks rows up, performs the actions and keeps the timers
of the state it is in. The docs (``docs/transactions.md``) are rendered from these tables.

The INVITE machines include RFC 6026's corrections: a 2xx moves both sides to "Accepted"
instead of "Terminated", so retransmitted 2xx responses (client) and INVITEs (server) are
still matched to the transaction rather than treated as new.

Rows cover every event a state can meet. A row whose action list is empty absorbs the event
(a retransmission the RFC says to discard). An event without a row is ignored when it comes
from the network or a timer, and refused (`TransactionError`) when it comes from the TU:
that is the TU's bug, not the peer's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

from .timers import Timer


class State(enum.Enum):
    """Transaction states; `INIT` is the tail of the figures' first arrow."""

    # Members are singletons: identity hashing (Enum's hashes the name in Python) makes the
    # per-message table look-ups cheaper.
    __hash__ = object.__hash__

    INIT = "Init"
    CALLING = "Calling"
    TRYING = "Trying"
    PROCEEDING = "Proceeding"
    COMPLETED = "Completed"
    CONFIRMED = "Confirmed"
    ACCEPTED = "Accepted"
    TERMINATED = "Terminated"

    @property
    def slug(self) -> str:
        """Lower-case name, as used in test names."""
        return self.name.lower()


class Event(enum.Enum):
    """What a transaction reacts to; values are the labels of the RFC figures."""

    # Members are singletons: identity hashing (Enum's hashes the name in Python) makes the
    # per-message table look-ups cheaper.
    __hash__ = object.__hash__

    # from the TU
    SEND_REQUEST = "request from TU"
    TU_1XX = "1xx from TU"
    TU_2XX = "2xx from TU"
    TU_300_699 = "300-699 from TU"
    TU_200_699 = "200-699 from TU"
    # from the network
    RECV_1XX = "1xx"
    RECV_2XX = "2xx"
    RECV_300_699 = "300-699"
    RECV_200_699 = "200-699"
    RECV_REQUEST = "request"
    RECV_ACK = "ACK"
    TRANSPORT_ERROR = "Transport Err."
    # timers
    TIMER_A = "Timer A"
    TIMER_B = "Timer B"
    TIMER_D = "Timer D"
    TIMER_E = "Timer E"
    TIMER_F = "Timer F"
    TIMER_G = "Timer G"
    TIMER_H = "Timer H"
    TIMER_I = "Timer I"
    TIMER_J = "Timer J"
    TIMER_K = "Timer K"
    TIMER_L = "Timer L"
    TIMER_M = "Timer M"

    @property
    def from_tu(self) -> bool:
        """True for events the TU causes (a misplaced one is the TU's bug)."""
        return self in _TU_EVENTS

    @property
    def slug(self) -> str:
        """Short name used in test names: ``1xx``, ``tu_300_699``, ``timer_a`` ..."""
        name = self.name.lower()
        return name[5:] if name.startswith("recv_") else name


_TU_EVENTS = frozenset({
    Event.SEND_REQUEST, Event.TU_1XX, Event.TU_2XX, Event.TU_300_699, Event.TU_200_699,
})

TIMER_EVENTS: dict[Timer, Event] = {
    timer: Event[f"TIMER_{timer.value}"] for timer in Timer if timer is not Timer.C
}
"""The event a timer raises when it fires (timer C is the proxy core's, not ours)."""


class Action(enum.Enum):
    """What a transition does, in the order listed in its row."""

    # Members are singletons: identity hashing (Enum's hashes the name in Python) makes the
    # per-message table look-ups cheaper.
    __hash__ = object.__hash__

    SEND_REQUEST = "send request"
    SEND_ACK = "send ACK"
    SEND_RESPONSE = "send response"  # the one the TU just passed
    RESEND_RESPONSE = "resend last response"  # if any was sent yet
    PASS_TO_TU = "pass to TU"
    INFORM_TU_TIMEOUT = "inform TU: timeout"
    INFORM_TU_TRANSPORT_ERROR = "inform TU: transport error"
    REARM_DOUBLED = "re-arm doubled"  # the timer that fired (TimerConfig.doubled)
    REARM_T2 = "re-arm at T2"  # the timer that fired


class Transition(NamedTuple):
    """One row's outcome: the next state and the actions, in order."""

    next: State
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class MachineSpec:
    """One of the four machines.

    Attributes:
        name: ``"INVITE client"`` ...
        slug: ``"invite_client"`` (test names).
        reference: where the RFC defines it.
        invite: True for the INVITE machines (2xx and 300-699 are different events).
        client: True for client machines.
        transitions: the table.
        timers: timers that run in each state. Entering a state starts those of its timers
            that are not running yet and stops the running ones it does not list, so a timer
            listed in two consecutive states keeps its deadline (E and F go on from Trying
            to Proceeding).
    """

    name: str
    slug: str
    reference: str
    invite: bool
    client: bool
    transitions: dict[tuple[State, Event], Transition]
    timers: dict[State, tuple[Timer, ...]] = field(default_factory=dict)
    # the table by state, then event (every state present): one look-up per event, no key
    # tuple to build
    rows: dict[State, dict[Event, Transition]] = field(init=False, repr=False, compare=False)
    # response_event() by status class (1 to 6), from the network and from the TU
    recv_events: dict[int, Event] = field(init=False, repr=False, compare=False)
    tu_events: dict[int, Event] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        rows: dict[State, dict[Event, Transition]] = {state: {} for state in State}
        for (state, event), transition in self.transitions.items():
            rows[state][event] = transition
        object.__setattr__(self, "rows", rows)
        if self.invite:
            recv = [Event.RECV_1XX, Event.RECV_2XX] + [Event.RECV_300_699] * 4
            tu = [Event.TU_1XX, Event.TU_2XX] + [Event.TU_300_699] * 4
        else:
            recv = [Event.RECV_1XX] + [Event.RECV_200_699] * 5
            tu = [Event.TU_1XX] + [Event.TU_200_699] * 5
        object.__setattr__(self, "recv_events", dict(enumerate(recv, 1)))
        object.__setattr__(self, "tu_events", dict(enumerate(tu, 1)))

    def states(self) -> list[State]:
        """The states of the machine, in the order the rows first mention them."""
        seen: dict[State, None] = {}
        for (state, _), transition in self.transitions.items():
            seen.setdefault(state)
            seen.setdefault(transition.next)
        return list(seen)


S = State
E = Event
A = Action
T = Transition

INVITE_CLIENT = MachineSpec(
    name="INVITE client",
    slug="invite_client",
    reference="RFC 3261 s17.1.1 (figure 5), RFC 6026 s7.2 (figure 5)",
    invite=True,
    client=True,
    transitions={
        (S.INIT, E.SEND_REQUEST): T(S.CALLING, (A.SEND_REQUEST,)),
        (S.CALLING, E.TIMER_A): T(S.CALLING, (A.SEND_REQUEST, A.REARM_DOUBLED)),
        (S.CALLING, E.TIMER_B): T(S.TERMINATED, (A.INFORM_TU_TIMEOUT,)),
        (S.CALLING, E.TRANSPORT_ERROR): T(S.TERMINATED, (A.INFORM_TU_TRANSPORT_ERROR,)),
        (S.CALLING, E.RECV_1XX): T(S.PROCEEDING, (A.PASS_TO_TU,)),
        (S.CALLING, E.RECV_2XX): T(S.ACCEPTED, (A.PASS_TO_TU,)),
        (S.CALLING, E.RECV_300_699): T(S.COMPLETED, (A.SEND_ACK, A.PASS_TO_TU)),
        (S.PROCEEDING, E.RECV_1XX): T(S.PROCEEDING, (A.PASS_TO_TU,)),
        (S.PROCEEDING, E.RECV_2XX): T(S.ACCEPTED, (A.PASS_TO_TU,)),
        (S.PROCEEDING, E.RECV_300_699): T(S.COMPLETED, (A.SEND_ACK, A.PASS_TO_TU)),
        # A retransmitted final response means our ACK was lost: send it again.
        (S.COMPLETED, E.RECV_300_699): T(S.COMPLETED, (A.SEND_ACK,)),
        (S.COMPLETED, E.RECV_1XX): T(S.COMPLETED),
        (S.COMPLETED, E.RECV_2XX): T(S.COMPLETED),
        (S.COMPLETED, E.TIMER_D): T(S.TERMINATED),
        (S.COMPLETED, E.TRANSPORT_ERROR): T(S.TERMINATED, (A.INFORM_TU_TRANSPORT_ERROR,)),
        # RFC 6026: every 2xx (retransmitted or from another fork) goes up; the TU acks it.
        (S.ACCEPTED, E.RECV_2XX): T(S.ACCEPTED, (A.PASS_TO_TU,)),
        (S.ACCEPTED, E.RECV_1XX): T(S.ACCEPTED),
        (S.ACCEPTED, E.RECV_300_699): T(S.ACCEPTED),
        (S.ACCEPTED, E.TIMER_M): T(S.TERMINATED),
    },
    timers={
        S.CALLING: (Timer.A, Timer.B),
        S.COMPLETED: (Timer.D,),
        S.ACCEPTED: (Timer.M,),
    },
)

NON_INVITE_CLIENT = MachineSpec(
    name="non-INVITE client",
    slug="non_invite_client",
    reference="RFC 3261 s17.1.2 (figure 6)",
    invite=False,
    client=True,
    transitions={
        (S.INIT, E.SEND_REQUEST): T(S.TRYING, (A.SEND_REQUEST,)),
        (S.TRYING, E.TIMER_E): T(S.TRYING, (A.SEND_REQUEST, A.REARM_DOUBLED)),
        (S.TRYING, E.TIMER_F): T(S.TERMINATED, (A.INFORM_TU_TIMEOUT,)),
        (S.TRYING, E.TRANSPORT_ERROR): T(S.TERMINATED, (A.INFORM_TU_TRANSPORT_ERROR,)),
        (S.TRYING, E.RECV_1XX): T(S.PROCEEDING, (A.PASS_TO_TU,)),
        (S.TRYING, E.RECV_200_699): T(S.COMPLETED, (A.PASS_TO_TU,)),
        # The server is alive: keep retransmitting, but only every T2.
        (S.PROCEEDING, E.TIMER_E): T(S.PROCEEDING, (A.SEND_REQUEST, A.REARM_T2)),
        (S.PROCEEDING, E.TIMER_F): T(S.TERMINATED, (A.INFORM_TU_TIMEOUT,)),
        (S.PROCEEDING, E.TRANSPORT_ERROR): T(S.TERMINATED, (A.INFORM_TU_TRANSPORT_ERROR,)),
        (S.PROCEEDING, E.RECV_1XX): T(S.PROCEEDING, (A.PASS_TO_TU,)),
        (S.PROCEEDING, E.RECV_200_699): T(S.COMPLETED, (A.PASS_TO_TU,)),
        # Completed only buffers response retransmissions.
        (S.COMPLETED, E.RECV_1XX): T(S.COMPLETED),
        (S.COMPLETED, E.RECV_200_699): T(S.COMPLETED),
        (S.COMPLETED, E.TIMER_K): T(S.TERMINATED),
    },
    timers={
        S.TRYING: (Timer.E, Timer.F),
        S.PROCEEDING: (Timer.E, Timer.F),
        S.COMPLETED: (Timer.K,),
    },
)

INVITE_SERVER = MachineSpec(
    name="INVITE server",
    slug="invite_server",
    reference="RFC 3261 s17.2.1 (figure 7), RFC 6026 s7.1 (figure 7)",
    invite=True,
    client=False,
    transitions={
        (S.INIT, E.RECV_REQUEST): T(S.PROCEEDING, (A.PASS_TO_TU,)),
        # A retransmitted INVITE gets the latest provisional response again (if any).
        (S.PROCEEDING, E.RECV_REQUEST): T(S.PROCEEDING, (A.RESEND_RESPONSE,)),
        (S.PROCEEDING, E.RECV_ACK): T(S.PROCEEDING),
        (S.PROCEEDING, E.TU_1XX): T(S.PROCEEDING, (A.SEND_RESPONSE,)),
        (S.PROCEEDING, E.TU_2XX): T(S.ACCEPTED, (A.SEND_RESPONSE,)),
        (S.PROCEEDING, E.TU_300_699): T(S.COMPLETED, (A.SEND_RESPONSE,)),
        (S.PROCEEDING, E.TRANSPORT_ERROR): T(S.TERMINATED, (A.INFORM_TU_TRANSPORT_ERROR,)),
        (S.COMPLETED, E.RECV_REQUEST): T(S.COMPLETED, (A.RESEND_RESPONSE,)),
        (S.COMPLETED, E.TIMER_G): T(S.COMPLETED, (A.RESEND_RESPONSE, A.REARM_DOUBLED)),
        (S.COMPLETED, E.RECV_ACK): T(S.CONFIRMED),
        (S.COMPLETED, E.TIMER_H): T(S.TERMINATED, (A.INFORM_TU_TIMEOUT,)),
        (S.COMPLETED, E.TRANSPORT_ERROR): T(S.TERMINATED, (A.INFORM_TU_TRANSPORT_ERROR,)),
        # Confirmed only absorbs ACK (and INVITE) retransmissions until timer I.
        (S.CONFIRMED, E.RECV_ACK): T(S.CONFIRMED),
        (S.CONFIRMED, E.RECV_REQUEST): T(S.CONFIRMED),
        (S.CONFIRMED, E.TIMER_I): T(S.TERMINATED),
        # RFC 6026: INVITE retransmissions are absorbed (the TU retransmits its 2xx itself),
        # ACKs for the 2xx go up, and the TU's 2xx retransmissions go out.
        (S.ACCEPTED, E.RECV_REQUEST): T(S.ACCEPTED),
        (S.ACCEPTED, E.RECV_ACK): T(S.ACCEPTED, (A.PASS_TO_TU,)),
        (S.ACCEPTED, E.TU_2XX): T(S.ACCEPTED, (A.SEND_RESPONSE,)),
        # Our choice: a failed 2xx send is the TU's to handle (it owns 2xx reliability);
        # leaving Accepted early would let a retransmitted INVITE start a new transaction.
        (S.ACCEPTED, E.TRANSPORT_ERROR): T(S.ACCEPTED, (A.INFORM_TU_TRANSPORT_ERROR,)),
        (S.ACCEPTED, E.TIMER_L): T(S.TERMINATED),
    },
    timers={
        S.COMPLETED: (Timer.G, Timer.H),
        S.CONFIRMED: (Timer.I,),
        S.ACCEPTED: (Timer.L,),
    },
)

NON_INVITE_SERVER = MachineSpec(
    name="non-INVITE server",
    slug="non_invite_server",
    reference="RFC 3261 s17.2.2 (figure 8)",
    invite=False,
    client=False,
    transitions={
        (S.INIT, E.RECV_REQUEST): T(S.TRYING, (A.PASS_TO_TU,)),
        # Nothing sent yet, so nothing to repeat: the retransmission is dropped.
        (S.TRYING, E.RECV_REQUEST): T(S.TRYING),
        (S.TRYING, E.TU_1XX): T(S.PROCEEDING, (A.SEND_RESPONSE,)),
        (S.TRYING, E.TU_200_699): T(S.COMPLETED, (A.SEND_RESPONSE,)),
        (S.PROCEEDING, E.RECV_REQUEST): T(S.PROCEEDING, (A.RESEND_RESPONSE,)),
        (S.PROCEEDING, E.TU_1XX): T(S.PROCEEDING, (A.SEND_RESPONSE,)),
        (S.PROCEEDING, E.TU_200_699): T(S.COMPLETED, (A.SEND_RESPONSE,)),
        (S.PROCEEDING, E.TRANSPORT_ERROR): T(S.TERMINATED, (A.INFORM_TU_TRANSPORT_ERROR,)),
        (S.COMPLETED, E.RECV_REQUEST): T(S.COMPLETED, (A.RESEND_RESPONSE,)),
        # s17.2.2: any other final response from the TU is discarded, not an error.
        (S.COMPLETED, E.TU_200_699): T(S.COMPLETED),
        (S.COMPLETED, E.TIMER_J): T(S.TERMINATED),
        (S.COMPLETED, E.TRANSPORT_ERROR): T(S.TERMINATED, (A.INFORM_TU_TRANSPORT_ERROR,)),
    },
    timers={
        S.COMPLETED: (Timer.J,),
    },
)

MACHINES: tuple[MachineSpec, ...] = (INVITE_CLIENT, NON_INVITE_CLIENT, INVITE_SERVER, NON_INVITE_SERVER)
"""The four machines, in the RFC's order."""


def response_event(status: int, spec: MachineSpec, *, from_tu: bool) -> Event:
    """The event a response with `status` is to `spec`: the INVITE machines tell 2xx from
    300-699, the non-INVITE ones see one "200-699"."""
    if not 100 <= status <= 699:
        raise ValueError(f"status {status} out of range")
    if status < 200:
        return Event.TU_1XX if from_tu else Event.RECV_1XX
    if not spec.invite:
        return Event.TU_200_699 if from_tu else Event.RECV_200_699
    if status < 300:
        return Event.TU_2XX if from_tu else Event.RECV_2XX
    return Event.TU_300_699 if from_tu else Event.RECV_300_699
