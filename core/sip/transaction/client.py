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
from .states import INVITE_CLIENT, NON_INVITE_CLIENT, Action, Event, response_event
from .timers import DEFAULT_TIMERS, Timer, TimerConfig


class ClientTransaction(Transaction):
    """One INVITE or non-INVITE client transaction.

    Create it with the request exactly as it will go out (our Via with a fresh RFC 3261
    branch on top, edits included: they are rendered once here), then call `send_request`.
    Feed it the responses `TransactionTable.find_client` matched, the owner's transport
    failures and its timers; perform the events each call returns, in order.

    Attributes:
        request: the request as sent (parsed from the bytes that go on the wire).
        method: the request method (``INVITE`` selects the INVITE machine).
        branch: the branch of our top Via, which responses must carry back.
        final_response: the first final response received, or None.
    """

    def __init__(
        self, request: SIPRequest, reliable: bool, now: float, *,
        timers: TimerConfig = DEFAULT_TIMERS,
    ) -> None:
        if request.method == "ACK":
            raise TransactionError("an ACK is never sent in a client transaction")
        self._data = request.serialize()
        sent = parse_message(self._data) if request.has_changes else request
        assert isinstance(sent, SIPRequest)
        via = sent.top_via
        if via is None or via.branch is None:
            raise TransactionError("a client transaction's request needs a top Via with a branch")
        super().__init__(
            INVITE_CLIENT if request.method == "INVITE" else NON_INVITE_CLIENT,
            reliable, now, timers,
        )
        self.request: SIPRequest = sent
        self.method = sent.method
        self.branch: str = via.branch
        self.final_response: SIPResponse | None = None
        self._ack: SendToTransport | None = None

    def send_request(self, now: float | None = None) -> list[TransactionEvent]:
        """Start: send the request and the timers (A and B, or E and F).

        `now` defaults to `created_at`, for the usual create-and-send in one go."""
        return self._run(Event.SEND_REQUEST, self.created_at if now is None else now, None)

    def receive_response(self, response: SIPResponse, now: float) -> list[TransactionEvent]:
        """A response matched to this transaction (s17.1.3) arrived."""
        if self.final_response is None and response.status_code >= 200:
            self.final_response = response
        return self._run(response_event(response.status_code, self.spec, from_tu=False), now,
                         response)

    def _perform(
        self, action: Action, message: SIPMessage | None, fired: Timer | None,
    ) -> list[TransactionEvent]:
        if action is Action.SEND_REQUEST:
            return [SendToTransport(self._data, self.request)]
        if action is Action.SEND_ACK:
            if self._ack is None:
                assert isinstance(message, SIPResponse)
                data = build_ack(self.request, message)
                ack = parse_message(data)
                self._ack = SendToTransport(data, ack)
            return [self._ack]
        if action is Action.PASS_TO_TU:
            assert message is not None
            return [PassToTU(message)]
        if action is Action.INFORM_TU_TIMEOUT:
            assert fired is not None
            return [TransactionTimeout(fired)]
        if action is Action.INFORM_TU_TRANSPORT_ERROR:
            return [TransportError()]
        raise AssertionError(f"{action} in a client table")  # states.py is wrong
