"""Server transactions (RFC 3261 s17.2): absorb request retransmissions, send and
retransmit the TU's responses, and (INVITE) wait for the ACK."""

from __future__ import annotations

from siprouter.core.sip.errors import SIPError
from siprouter.core.sip.message import SIPMessage, SIPRequest, SIPResponse
from siprouter.core.sip.parser import parse_message

from .events import (
    PassToTU,
    SendToTransport,
    TransactionError,
    TransactionEvent,
    TransactionTimeout,
    TransportError,
)
from .machine import Transaction
from .states import INVITE_SERVER, NON_INVITE_SERVER, Action, Event, response_event
from .timers import DEFAULT_TIMERS, Timer, TimerConfig

_SEND_RESPONSE = Action.SEND_RESPONSE
_PASS_TO_TU = Action.PASS_TO_TU
_PASS_ONLY = (Action.PASS_TO_TU,)
_SEND_ONLY = (Action.SEND_RESPONSE,)


class ServerTransaction(Transaction):
    """One INVITE or non-INVITE server transaction.

    Create it for a request no transaction matched (`TransactionTable.find_server`), then
    give it that request with `receive_request` like every later retransmission: the first
    one is passed to the TU, the others are absorbed or answered from here. The TU's
    responses go through `send_response`. A CANCEL gets its own (non-INVITE) transaction;
    finding the INVITE it cancels is `TransactionTable.find_cancelled`.

    The INVITE server transaction does not send 100 Trying itself (s17.2.1 lets the TU do
    it when it will answer within 200 ms): the tm module decides, as Kamailio's does.

    Attributes:
        request: the request that created the transaction.
        method: its method.
        last_response: the latest response sent (what retransmissions get), or None.
        to_tag: the To tag of the final response sent, or of the request when it had one
            (RFC 2543 ACK matching needs it, s17.2.3).
    """

    __slots__ = ("request", "method", "last_response", "_pending", "_pending_tag", "_to_tag",
                 "_tag_of")

    def __init__(
        self, request: SIPRequest, reliable: bool, now: float, *,
        timers: TimerConfig = DEFAULT_TIMERS,
    ) -> None:
        if request.method == "ACK":
            raise TransactionError("an ACK never creates a server transaction")
        Transaction.__init__(
            self, INVITE_SERVER if request.method == "INVITE" else NON_INVITE_SERVER,
            reliable, now, timers,
        )
        self.request = request
        self.method = request.method
        self.last_response: SendToTransport | None = None
        self._pending: SendToTransport | None = None  # the TU's response being applied
        # and the To tag of a final one (or a message to read it from)
        self._pending_tag: str | SIPResponse | None = None
        self._to_tag: str | None = None
        # the message whose To tag is the transaction's, not read yet (to_tag): the request,
        # then a final response sent
        self._tag_of: SIPRequest | SIPResponse | None = request

    @property
    def to_tag(self) -> str | None:
        """The To tag of the final response sent, or of the request when it had one."""
        tag_of = self._tag_of
        if tag_of is not None:
            self._tag_of = None
            try:
                to = tag_of.to
            except SIPError:
                to = None
            self._to_tag = to.tag if to is not None else None
        return self._to_tag

    def receive_request(self, request: SIPRequest, now: float) -> list[TransactionEvent]:
        """The request that created the transaction, a retransmission of it, or (INVITE)
        an ACK matched to it."""
        event = Event.RECV_ACK if request.method == "ACK" else Event.RECV_REQUEST
        return self._run(event, now, request)

    def start(self, now: float) -> None:
        """`receive_request` of the request that created the transaction, for an owner that
        is handling that request already: the transaction moves on the same way, the
        `PassToTU` it would return (the owner's own run) is not made."""
        row = self._rows[self.state].get(Event.RECV_REQUEST)
        if row is not None and row.actions == _PASS_ONLY and row.next not in self._plans:
            self.state = row.next  # no timers to start, nothing to send
            observer = self._observer
            if observer is not None:
                observer(self)
            return
        self._run(Event.RECV_REQUEST, now, self.request)

    def send_response(self, response: SIPResponse, now: float) -> list[TransactionEvent]:
        """Send a response from the TU (edits are rendered once, here)."""
        data = response.serialize()
        sent = parse_message(data) if response.has_changes else response
        assert isinstance(sent, SIPResponse)
        to = sent.to if sent.status_code >= 200 else None
        return self._send(SendToTransport(data, sent), sent.status_code,
                          to.tag if to is not None else None, now)

    def send_response_wire(self, data: bytes, status_code: int, to_tag: str | None,
                           now: float, *, tag_of: SIPResponse | None = None,
                           ) -> list[TransactionEvent]:
        """Send a response the TU serialized itself (a relayed reply, a reply of its own),
        with its status code and To tag: the octets are not parsed again. `tag_of`, instead
        of `to_tag`: a message with the same To header (the reply relayed), read only if
        the tag is ever asked for (an RFC 2543 ACK)."""
        tag = tag_of if tag_of is not None and status_code >= 200 else to_tag
        event = self.spec.tu_events.get(status_code // 100) if 100 <= status_code <= 699 else None
        if event is None:
            event = response_event(status_code, self.spec, from_tu=True)  # raises
        state = self.state
        row = self._rows[state].get(event)
        if row is None or row.actions != _SEND_ONLY:
            # _send, inlined
            self._pending = SendToTransport(data)
            self._pending_tag = tag
            return self._run(event, now, None)
        # Every reply a proxy relays or makes comes this way, and its row only sends it:
        # _run and _perform of SEND_RESPONSE, inlined.
        send = SendToTransport(data)
        self.last_response = send
        if tag is not None:  # only given for a final response
            if isinstance(tag, str):
                self._to_tag, self._tag_of = tag, None
            else:
                self._tag_of = tag
        out: list[TransactionEvent] = [send]
        nxt = row.next
        if nxt is not state:
            self._enter(nxt, now, out)
            observer = self._observer
            if observer is not None:
                observer(self)
        return out

    def _send(self, send: SendToTransport, status_code: int, to_tag: str | None,
              now: float) -> list[TransactionEvent]:
        self._pending = send
        self._pending_tag = to_tag
        event = self.spec.tu_events.get(status_code // 100) if 100 <= status_code <= 699 else None
        if event is None:
            event = response_event(status_code, self.spec, from_tu=True)  # raises
        return self._run(event, now, None)

    def _perform(
        self, action: Action, message: SIPMessage | None, fired: Timer | None,
    ) -> TransactionEvent | None:
        if action is _SEND_RESPONSE:
            send = self._pending
            assert send is not None
            self.last_response = send
            tag = self._pending_tag
            if tag is not None:  # only set for a final response
                if isinstance(tag, str):
                    self._to_tag, self._tag_of = tag, None
                else:
                    self._tag_of = tag
            return send
        if action is _PASS_TO_TU:
            assert message is not None
            return PassToTU(message)
        if action is Action.RESEND_RESPONSE:
            return self.last_response
        if action is Action.INFORM_TU_TIMEOUT:
            assert fired is not None
            return TransactionTimeout(fired)
        if action is Action.INFORM_TU_TRANSPORT_ERROR:
            return TransportError()
        raise AssertionError(f"{action} in a server table")  # states.py is wrong
