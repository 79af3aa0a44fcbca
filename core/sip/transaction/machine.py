"""The runner shared by client and server transactions: table look-up, timers, clock-free.

A subclass supplies the message-specific actions (`_perform`); this class applies a row,
keeps the timers of the current state as absolute deadlines computed from the `now` it is
given, and tells an observer (the `TransactionTable`) when its deadline or state changed.
"""

from __future__ import annotations

from collections.abc import Callable

from siprouter.core.sip.message import SIPMessage

from .events import Terminated, TransactionError, TransactionEvent
from .states import TIMER_EVENTS, Action, Event, MachineSpec, State
from .timers import DEFAULT_TIMERS, Timer, TimerConfig

_TIMER_ORDER = {timer: n for n, timer in enumerate(Timer)}


class Transaction:
    """State, timers and the transition loop of one transaction (abstract).

    Attributes:
        spec: which of the four machines this is.
        state: the current state.
        reliable: True over TCP/TLS/SCTP/WS (no retransmissions, wait timers zero).
        timers: the timer base values.
        created_at: the `now` given to the constructor.
    """

    spec: MachineSpec
    state: State

    def __init__(
        self, spec: MachineSpec, reliable: bool, now: float, timers: TimerConfig = DEFAULT_TIMERS,
    ) -> None:
        self.spec = spec
        self.state = State.INIT  # the tail of the figures' first arrow
        self.reliable = reliable
        self.timers = timers
        self.created_at = now
        self._deadlines: dict[Timer, float] = {}
        self._intervals: dict[Timer, float] = {}
        self._observer: Callable[[Transaction], None] | None = None

    # ------------------------------------------------------------------ timers, public

    def get_timer(self) -> float | None:
        """The time at which `handle_timer` should be called next, or None when no timer
        runs (waiting for the TU or the peer, or terminated)."""
        return min(self._deadlines.values(), default=None)

    def timer_deadline(self, timer: Timer) -> float | None:
        """When `timer` fires, or None when it is not running (for the owner's logs and
        for tests)."""
        return self._deadlines.get(timer)

    def handle_timer(self, now: float) -> list[TransactionEvent]:
        """Fire every timer due at `now`, earliest first (each may stop the others)."""
        out: list[TransactionEvent] = []
        while self._deadlines:
            timer, at = min(self._deadlines.items(), key=lambda kv: (kv[1], _TIMER_ORDER[kv[0]]))
            if at > now:
                break
            del self._deadlines[timer]
            out += self._step(TIMER_EVENTS[timer], now, None, timer)
        self._changed()
        return out

    def report_transport_error(self, now: float) -> list[TransactionEvent]:
        """The owner could not send what this transaction asked it to send."""
        out = self._step(Event.TRANSPORT_ERROR, now, None, None)
        self._changed()
        return out

    def set_observer(self, observer: Callable[[Transaction], None] | None) -> None:
        """Have `observer` called with this transaction after each of its methods ran (the
        `TransactionTable` re-files the deadline and drops terminated transactions)."""
        self._observer = observer

    @property
    def terminated(self) -> bool:
        """True once the transaction reached Terminated (it must then be dropped)."""
        return self.state is State.TERMINATED

    # ------------------------------------------------------------------ the loop

    def _run(self, event: Event, now: float, message: SIPMessage | None) -> list[TransactionEvent]:
        """Apply one event from the TU or the network and notify the observer."""
        out = self._step(event, now, message, None)
        self._changed()
        return out

    def _step(
        self, event: Event, now: float, message: SIPMessage | None, fired: Timer | None,
    ) -> list[TransactionEvent]:
        row = self.spec.transitions.get((self.state, event))
        if row is None:
            if event.from_tu:
                raise TransactionError(
                    f"{self.spec.name} transaction in state {self.state.value} cannot take"
                    f" {event.value}"
                )
            # A stray message or a late transport report: nothing in the RFC to do.
            return []
        out: list[TransactionEvent] = []
        for action in row.actions:
            if action is Action.REARM_DOUBLED and fired is not None:
                self._arm(fired, now, self.timers.doubled(fired, self._intervals[fired]))
            elif action is Action.REARM_T2 and fired is not None:
                self._arm(fired, now, self.timers.t2)
            else:
                out += self._perform(action, message, fired)
        if row.next is not self.state:
            out += self._enter(row.next, now)
        return out

    def _enter(self, state: State, now: float) -> list[TransactionEvent]:
        self.state = state
        if state is State.TERMINATED:
            self._deadlines.clear()
            return [Terminated()]
        wanted = self.spec.timers.get(state, ())
        for timer in list(self._deadlines):
            if timer not in wanted:
                del self._deadlines[timer]
        immediate: list[Timer] = []
        for timer in wanted:
            if timer in self._deadlines:
                continue
            duration = self.timers.initial(timer, self.reliable)
            if duration is None:
                continue
            if duration <= 0:
                immediate.append(timer)
            else:
                self._arm(timer, now, duration)
        # A zero timer (D, I, J, K over reliable transports) means "leave this state right
        # away": fire it now rather than hand the owner a deadline already due.
        out: list[TransactionEvent] = []
        for timer in immediate:
            if self.state is state:
                out += self._step(TIMER_EVENTS[timer], now, None, timer)
        return out

    def _arm(self, timer: Timer, now: float, interval: float) -> None:
        self._intervals[timer] = interval
        self._deadlines[timer] = now + interval

    def _changed(self) -> None:
        if self._observer is not None:
            self._observer(self)

    def _perform(
        self, action: Action, message: SIPMessage | None, fired: Timer | None,
    ) -> list[TransactionEvent]:
        """Carry out a message-level action; subclasses know their messages."""
        raise NotImplementedError

