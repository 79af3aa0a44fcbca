"""Client transactions (RFC 3261 s17.1): send a request, retransmit it, collect responses."""

from __future__ import annotations

from siprouter.core.sip.message import SIPMessage, SIPRequest, SIPResponse
from siprouter.core.sip.parser import parse_message

from .ack import build_ack
from .events import (
    PassToTU,
    SendToTransport,
    TransactionError,
    TransactionEvent,
    TransactionTimeout,
    TransportError,
)
from .machine import Transaction
from .raw import top_via_value
from .states import INVITE_CLIENT, NON_INVITE_CLIENT, Action, Event, State, response_event
from .timers import DEFAULT_TIMERS, Timer, TimerConfig

_SEND_REQUEST = Action.SEND_REQUEST
_PASS_TO_TU = Action.PASS_TO_TU
_PASS_ONLY = (Action.PASS_TO_TU,)
_SEND_ONLY = (Action.SEND_REQUEST,)


class ClientTransaction(Transaction):
    """One INVITE or non-INVITE client transaction.

    Create it with the request exactly as it will go out (our Via with a fresh RFC 3261
    branch on top, edits included: they are rendered once here), then call `send_request`.
    Feed it the responses `TransactionTable.find_client` matched, the owner's transport
    failures and its timers; perform the events each call returns, in order.

    Attributes:
        request: the request as sent (parsed from the bytes that go on the wire).
        key: (branch, CSeq method), what a response must carry to match.
        method: the request method (``INVITE`` selects the INVITE machine).
        branch: the branch of our top Via, which responses must carry back.
        final_response: the first final response received, or None.
    """

    __slots__ = ("_data", "_request", "method", "branch", "key", "final_response", "_ack",
                 "_sent_via")

    def __init__(
        self, request: SIPRequest, reliable: bool, now: float, *,
        timers: TimerConfig = DEFAULT_TIMERS,
    ) -> None:
        if request.method == "ACK":
            raise TransactionError("an ACK is never sent in a client transaction")
        data = request.serialize()
        sent = parse_message(data) if request.has_changes else request
        assert isinstance(sent, SIPRequest)
        via, cseq = sent.top_via, sent.cseq
        if via is None or via.branch is None:
            raise TransactionError("a client transaction's request needs a top Via with a branch")
        self._setup(data, sent, sent.method, via.branch, cseq.method if cseq else sent.method,
                    reliable, now, timers)

    @classmethod
    def from_wire(
        cls, data: bytes, method: str, branch: str, cseq_method: str, reliable: bool,
        now: float, *, timers: TimerConfig = DEFAULT_TIMERS,
    ) -> ClientTransaction:
        """A transaction for a request its owner serialized itself, with the `branch` of the
        top Via it put there: the octets are not parsed again unless the request is needed
        (the ACK of a negative reply, a CANCEL)."""
        if method == "ACK":
            raise TransactionError("an ACK is never sent in a client transaction")
        if not branch:
            raise TransactionError("a client transaction's request needs a top Via with a branch")
        tx = cls.__new__(cls)
        # _setup and Transaction.__init__, inlined: one per branch a proxy relays
        spec = INVITE_CLIENT if method == "INVITE" else NON_INVITE_CLIENT
        tx.spec = spec
        tx.state = State.INIT
        tx.reliable = reliable
        tx.timers = timers
        tx.created_at = now
        tx._deadlines = {}
        tx._intervals = None
        tx._observer = None
        tx._rows = spec.rows
        plans = timers._plans.get((id(spec), reliable))
        tx._plans = plans if plans is not None else timers.plans(spec, spec.timers, reliable)
        tx._data = data
        tx._request = None
        tx.method = method
        tx.branch = branch
        tx.key = (branch, cseq_method)
        tx.final_response = None
        tx._ack = None
        tx._sent_via = None
        return tx

    def _setup(self, data: bytes, sent: SIPRequest | None, method: str, branch: str,
               cseq_method: str, reliable: bool, now: float, timers: TimerConfig) -> None:
        Transaction.__init__(
            self, INVITE_CLIENT if method == "INVITE" else NON_INVITE_CLIENT, reliable, now,
            timers,
        )
        self._data = data
        self._request = sent
        self.method = method
        self.branch: str = branch
        self.key: tuple[str, str] = (branch, cseq_method)
        self.final_response: SIPResponse | None = None
        self._ack: SendToTransport | None = None
        self._sent_via: bytes | None = None

    @property
    def sent_via(self) -> bytes:
        """Our (top) Via value as it went on the wire, which responses copy (b"" when it is
        not simply there: folded, several values on its line)."""
        if self._sent_via is None:
            value = top_via_value(self._data)
            self._sent_via = value if value is not None and b"," not in value else b""
        return self._sent_via

    @property
    def request(self) -> SIPRequest:
        """The request as sent (parsed from the octets on first use)."""
        if self._request is None:
            sent = parse_message(self._data)
            assert isinstance(sent, SIPRequest)
            self._request = sent
        return self._request

    def send_request(self, now: float | None = None) -> list[TransactionEvent]:
        """Start: send the request and the timers (A and B, or E and F).

        `now` defaults to `created_at`, for the usual create-and-send in one go."""
        if now is None:
            now = self.created_at
        state = self.state
        row = self._rows[state].get(Event.SEND_REQUEST)
        if row is None or row.actions != _SEND_ONLY or row.next is state:
            return self._run(Event.SEND_REQUEST, now, None)
        # the one send of every client transaction: _run and _perform, inlined
        out: list[TransactionEvent] = [SendToTransport(self._data, self._request)]
        self._enter(row.next, now, out)
        observer = self._observer
        if observer is not None:
            observer(self)
        return out

    def stop_retransmissions(self) -> None:
        """Send the request no more (Kamailio's stop_rb_retr): timer A (E) stops until a
        state change re-arms it (none does for an INVITE); the transaction still takes
        responses and ends by its timer B (F)."""
        deadlines = self._deadlines
        if deadlines.pop(Timer.A, None) is not None or deadlines.pop(Timer.E, None) is not None:
            self._changed()

    def receive_response(self, response: SIPResponse, now: float) -> list[TransactionEvent]:
        """A response matched to this transaction (s17.1.3) arrived."""
        code = response.status_code
        if self.final_response is None and code >= 200:
            self.final_response = response
        event = self.spec.recv_events.get(code // 100) if 100 <= code <= 699 else None
        if event is None:
            event = response_event(code, self.spec, from_tu=False)  # raises
        state = self.state
        row = self._rows[state].get(event)
        if row is None or row.actions != _PASS_ONLY:
            return self._run(event, now, response)
        # the usual (a 1xx or a 2xx, or a non-INVITE final): the response goes up; _run and
        # _perform of PASS_TO_TU, inlined
        out: list[TransactionEvent] = [PassToTU(response)]
        nxt = row.next
        if nxt is not state:
            self._enter(nxt, now, out)
            observer = self._observer
            if observer is not None:
                observer(self)
        return out

    def _perform(
        self, action: Action, message: SIPMessage | None, fired: Timer | None,
    ) -> TransactionEvent | None:
        if action is _SEND_REQUEST:
            return SendToTransport(self._data, self._request)
        if action is _PASS_TO_TU:
            assert message is not None
            return PassToTU(message)
        if action is Action.SEND_ACK:
            if self._ack is None:
                assert isinstance(message, SIPResponse)
                self._ack = SendToTransport(build_ack(self.request, message))
            return self._ack
        if action is Action.INFORM_TU_TIMEOUT:
            assert fired is not None
            return TransactionTimeout(fired)
        if action is Action.INFORM_TU_TRANSPORT_ERROR:
            return TransportError()
        raise AssertionError(f"{action} in a client table")  # states.py is wrong
