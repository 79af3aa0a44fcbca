"""The runner shared by client and server transactions: table look-up, timers, clock-free.

A subclass supplies the message-specific actions (`_perform`); this class applies a row,
keeps the timers of the current state as absolute deadlines computed from the `now` it is
given, and tells an observer (the `TransactionTable`) when its deadline or state changed.
"""

from __future__ import annotations

from collections.abc import Callable

from siprouter.core.sip.message import SIPMessage

from .events import Terminated, TransactionError, TransactionEvent
from .states import TIMER_EVENTS, Action, Event, MachineSpec, State, Transition
from .timers import DEFAULT_TIMERS, Timer, TimerConfig

_TIMER_ORDER = {timer: n for n, timer in enumerate(Timer)}
_TERMINATED = Terminated()  # no fields: one instance serves every transaction
_SILENT_END: list[TransactionEvent] = [_TERMINATED]
"""What `handle_timer` returns when a timer ended the transaction with nothing else to do
(shared: not to be modified; the table tells it by identity)."""
_REARM_DOUBLED = Action.REARM_DOUBLED
_REARM_T2 = Action.REARM_T2
_TERMINATED_STATE = State.TERMINATED
_INIT_STATE = State.INIT


class Transaction:
    """State, timers and the transition loop of one transaction (abstract).

    Attributes:
        spec: which of the four machines this is.
        state: the current state.
        reliable: True over TCP/TLS/SCTP/WS (no retransmissions, wait timers zero).
        timers: the timer base values.
        created_at: the `now` given to the constructor.
    """

    # A proxy keeps thousands of these alive: no per-instance dict.
    __slots__ = ("spec", "state", "reliable", "timers", "created_at", "_deadlines",
                 "_intervals", "_observer", "_rows", "_plans")

    spec: MachineSpec
    state: State

    def __init__(
        self, spec: MachineSpec, reliable: bool, now: float, timers: TimerConfig = DEFAULT_TIMERS,
    ) -> None:
        self.spec = spec
        self.state = _INIT_STATE  # the tail of the figures' first arrow
        self.reliable = reliable
        self.timers = timers
        self.created_at = now
        self._deadlines: dict[Timer, float] = {}
        # the current interval of each retransmission timer once it was re-armed (doubled or
        # at T2); a timer not here runs its state's first duration (most never fire: made
        # on first use)
        self._intervals: dict[Timer, float] | None = None
        self._observer: Callable[[Transaction], None] | None = None
        self._rows: dict[State, dict[Event, Transition]] = spec.rows
        plans = timers._plans.get((id(spec), reliable))  # timers.plans(), once made
        self._plans = plans if plans is not None else timers.plans(spec, spec.timers, reliable)

    # ------------------------------------------------------------------ timers, public

    def get_timer(self) -> float | None:
        """The time at which `handle_timer` should be called next, or None when no timer
        runs (waiting for the TU or the peer, or terminated)."""
        deadlines = self._deadlines
        return min(deadlines.values()) if deadlines else None

    def timer_deadline(self, timer: Timer) -> float | None:
        """When `timer` fires, or None when it is not running (for the owner's logs and
        for tests)."""
        return self._deadlines.get(timer)

    def handle_timer(self, now: float) -> list[TransactionEvent]:
        """Fire every timer due at `now`, earliest first (each may stop the others)."""
        deadlines = self._deadlines
        if len(deadlines) == 1:
            # the usual: one timer left, and it ends the transaction without a word (the
            # wait timers, L, M): Terminated without the loop
            for timer, at in deadlines.items():
                if at <= now:
                    row = self._rows[self.state].get(TIMER_EVENTS[timer])
                    if row is not None and row.next is _TERMINATED_STATE and not row.actions:
                        deadlines.clear()
                        self.state = _TERMINATED_STATE
                        observer = self._observer
                        if observer is not None:
                            observer(self)
                        return _SILENT_END
        out: list[TransactionEvent] = []
        while deadlines:
            if len(deadlines) == 1:
                timer, at = next(iter(deadlines.items()))
            else:
                timer, at = min(deadlines.items(), key=lambda kv: (kv[1], _TIMER_ORDER[kv[0]]))
            if at > now:
                break
            del deadlines[timer]
            self._step(TIMER_EVENTS[timer], now, None, timer, out)
        observer = self._observer  # self._changed(), inlined
        if observer is not None:
            observer(self)
        return out

    def report_transport_error(self, now: float) -> list[TransactionEvent]:
        """The owner could not send what this transaction asked it to send."""
        return self._run(Event.TRANSPORT_ERROR, now, None)

    def set_observer(self, observer: Callable[[Transaction], None] | None) -> None:
        """Have `observer` called with this transaction after each of its methods that may
        have changed its state or its timers ran (the `TransactionTable` re-files the
        deadline and drops terminated transactions)."""
        self._observer = observer

    @property
    def terminated(self) -> bool:
        """True once the transaction reached Terminated (it must then be dropped)."""
        return self.state is _TERMINATED_STATE

    # ------------------------------------------------------------------ the loop

    def _run(self, event: Event, now: float, message: SIPMessage | None) -> list[TransactionEvent]:
        """Apply one event from the TU or the network and notify the observer."""
        out: list[TransactionEvent] = []
        state = self.state
        row = self._rows[state].get(event)
        if row is None:
            self._step(event, now, message, None, out)  # refuses or ignores it
        else:
            # _step for an event that is not a timer's (no re-arming), inlined: every
            # message and every TU action comes this way
            perform = self._perform
            for action in row.actions:
                got = perform(action, message, None)
                if got is not None:
                    out.append(got)
            if row.next is state:
                # same state, same timers (only timer events re-arm): nothing to report
                return out
            self._enter(row.next, now, out)
        observer = self._observer
        if observer is not None:
            observer(self)
        return out

    def _step(
        self, event: Event, now: float, message: SIPMessage | None, fired: Timer | None,
        out: list[TransactionEvent],
    ) -> None:
        """Apply the row of (state, `event`), appending what it produces to `out`."""
        row = self._rows[self.state].get(event)
        if row is None:
            if event.from_tu:
                raise TransactionError(
                    f"{self.spec.name} transaction in state {self.state.value} cannot take"
                    f" {event.value}"
                )
            # A stray message or a late transport report: nothing in the RFC to do.
            return
        for action in row.actions:
            if action is _REARM_DOUBLED and fired is not None:
                self._arm(fired, now, self.timers.doubled(fired, self._interval(fired)))
            elif action is _REARM_T2 and fired is not None:
                self._arm(fired, now, self.timers.t2)
            else:
                got = self._perform(action, message, fired)
                if got is not None:
                    out.append(got)
        if row.next is not self.state:
            self._enter(row.next, now, out)

    def _enter(self, state: State, now: float, out: list[TransactionEvent]) -> None:
        self.state = state
        deadlines = self._deadlines
        if state is _TERMINATED_STATE:
            deadlines.clear()
            out.append(_TERMINATED)
            return
        plan = self._plans.get(state)
        if plan is None:  # no timers in this state
            if deadlines:
                deadlines.clear()
            return
        wanted, timed, immediate = plan
        if deadlines:
            for timer in [t for t in deadlines if t not in wanted]:
                del deadlines[timer]
        intervals = self._intervals
        for timer, duration in timed:
            if timer not in deadlines:
                if intervals:
                    intervals.pop(timer, None)  # (re)started: its first duration again
                deadlines[timer] = now + duration
        # A zero timer (D, I, J, K over reliable transports) means "leave this state right
        # away": fire it now rather than hand the owner a deadline already due.
        if immediate:
            for timer in [t for t in immediate if t not in deadlines]:
                if self.state is state:
                    self._step(TIMER_EVENTS[timer], now, None, timer, out)

    def _arm(self, timer: Timer, now: float, interval: float) -> None:
        if self._intervals is None:
            self._intervals = {}
        self._intervals[timer] = interval
        self._deadlines[timer] = now + interval

    def _interval(self, timer: Timer) -> float:
        """How long `timer` ran before it fired: its last re-arming's interval, else the
        first duration it was started with in this state."""
        intervals = self._intervals
        if intervals is not None and timer in intervals:
            return intervals[timer]
        for armed, duration in self._plans[self.state][1]:
            if armed is timer:
                return duration
        raise AssertionError(f"timer {timer.value} fired without running")  # not reachable

    def _changed(self) -> None:
        if self._observer is not None:
            self._observer(self)

    def _perform(
        self, action: Action, message: SIPMessage | None, fired: Timer | None,
    ) -> TransactionEvent | None:
        """Carry out a message-level action: the event it produces, if any. Subclasses
        know their messages."""
        raise NotImplementedError
