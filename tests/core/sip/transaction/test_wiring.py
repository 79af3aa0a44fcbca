"""A client and a server transaction wired together in memory (h11's testing idea), over a
link that loses what a test tells it to, on a fake clock: the machines must recover by
themselves and both ends must terminate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from siprouter.core.sip import SIPRequest, SIPResponse, parse_message
from siprouter.core.sip.transaction import (
    ClientTransaction,
    PassToTU,
    SendToTransport,
    ServerTransaction,
    Terminated,
    Transaction,
    TransactionEvent,
    TransactionTable,
)

from .helpers import FakeClock, request, response


@dataclass
class Link:
    """Two tables (UAC and UAS side) and an instant network that may drop messages.

    `answer` is the UAS TU: given a request passed up, the responses to send."""

    answer: Callable[[SIPRequest], list[SIPResponse]]
    reliable: bool = False
    lose: Callable[[str, bytes], bool] = lambda direction, data: False
    clock: FakeClock = field(default_factory=FakeClock)
    uac: TransactionTable = field(default_factory=TransactionTable)
    uas: TransactionTable = field(default_factory=TransactionTable)
    wire: list[tuple[float, str, str]] = field(default_factory=list)  # (time, direction, line)
    uac_tu: list[str] = field(default_factory=list)
    uas_tu: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)

    def start(self, req: SIPRequest) -> ClientTransaction:
        tx = ClientTransaction(req, self.reliable, self.clock.now)
        self.uac.add(tx)
        self.perform(tx, tx.send_request(self.clock.now))
        return tx

    def perform(self, tx: Transaction, events: list[TransactionEvent]) -> None:
        for event in events:
            if isinstance(event, SendToTransport):
                direction = "->" if isinstance(tx, ClientTransaction) else "<-"
                self.wire.append((self.clock.now, direction, event.message.start_line))
                if not self.lose(direction, event.data):
                    self.deliver(direction, event.data)
            elif isinstance(event, PassToTU):
                if isinstance(tx, ClientTransaction):
                    self.uac_tu.append(event.message.start_line)
                else:
                    self.uas_tu.append(event.message.start_line)
                    assert isinstance(event.message, SIPRequest)
                    assert isinstance(tx, ServerTransaction)
                    for resp in self.answer(event.message):
                        self.perform(tx, tx.send_response(resp, self.clock.now))
            elif isinstance(event, Terminated):
                self.terminated.append("uac" if isinstance(tx, ClientTransaction) else "uas")

    def deliver(self, direction: str, data: bytes) -> None:
        msg = parse_message(data)
        now = self.clock.now
        if direction == "->":
            assert isinstance(msg, SIPRequest)
            found = self.uas.find_server(msg)
            if found is None:
                assert msg.method != "ACK", "a non-2xx ACK must match its INVITE transaction"
                found = ServerTransaction(msg, self.reliable, now)
                self.uas.add(found)
            self.perform(found, found.receive_request(msg, now))
        else:
            assert isinstance(msg, SIPResponse)
            client = self.uac.find_client(msg)
            assert client is not None
            self.perform(client, client.receive_response(msg, now))

    def run(self) -> None:
        """Let time pass until no timer is left on either side."""
        while True:
            deadlines = [t for t in (self.uac.get_timer(), self.uas.get_timer()) if t is not None]
            if not deadlines:
                return
            self.clock.now = min(deadlines)
            for table in (self.uac, self.uas):
                for tx, events in table.handle_timer(self.clock.now):
                    self.perform(tx, events)


def test_lost_invites_and_a_lost_486_are_recovered_over_udp() -> None:
    lost = {"->": 2, "<-": 1}  # the first two INVITEs and the first 486 vanish

    def lose(direction: str, data: bytes) -> bool:
        if lost[direction] and not data.startswith(b"SIP/2.0 1"):
            lost[direction] -= 1
            return True
        return False

    link = Link(answer=lambda req: [response(req, 486, reason="Busy Here")], lose=lose)
    link.start(request())
    link.run()
    assert [(t, d, line.split()[0] if d == "->" else line) for t, d, line in link.wire] == [
        (0.0, "->", "INVITE"),
        (0.5, "->", "INVITE"),
        (1.5, "->", "INVITE"),  # the server finally gets it and the TU answers at once
        (1.5, "<-", "SIP/2.0 486 Busy Here"),  # lost
        (2.0, "<-", "SIP/2.0 486 Busy Here"),  # timer G
        (2.0, "->", "ACK"),  # A and B stopped by the 486; the ACK confirms the server
    ]
    assert link.uas_tu == ["INVITE sip:bob@biloxi.example.com SIP/2.0"]  # once, not three times
    assert link.uac_tu == ["SIP/2.0 486 Busy Here"]
    assert sorted(link.terminated) == ["uac", "uas"]
    assert link.clock.now == 34.0  # the last to go: timer D, 32 s after the 486
    assert len(link.uac) == len(link.uas) == 0


def test_a_2xx_is_retransmitted_by_the_tu_and_absorbed_in_accepted_over_udp() -> None:
    link = Link(answer=lambda req: [response(req, 180), response(req, 200, reason="OK")])
    tx = link.start(request())
    server = link.uas.find_server(request())
    assert server is not None
    # The UAS core retransmits its 2xx (s13.3.1.4); a late INVITE copy arrives too.
    ok = response(request(), 200, reason="OK")
    link.clock.now = 0.5
    link.perform(server, server.send_response(ok, link.clock.now))
    link.deliver("->", request().raw)
    assert link.uac_tu == ["SIP/2.0 180 X", "SIP/2.0 200 OK", "SIP/2.0 200 OK"]
    assert link.uas_tu == ["INVITE sip:bob@biloxi.example.com SIP/2.0"]
    assert tx.state.value == server.state.value == "Accepted"
    link.run()
    # L and M started with the first 2xx at 0 s; retransmissions do not restart them.
    assert sorted(link.terminated) == ["uac", "uas"] and link.clock.now == 32.0


def test_a_non_invite_over_tcp_sends_everything_once_and_ends_at_once() -> None:
    link = Link(answer=lambda req: [response(req, 200, reason="OK")], reliable=True)
    link.start(request("OPTIONS", transport="TCP"))
    assert [line for _, _, line in link.wire] == [
        "OPTIONS sip:bob@biloxi.example.com SIP/2.0", "SIP/2.0 200 OK",
    ]
    assert sorted(link.terminated) == ["uac", "uas"]  # J and K are zero over TCP
    assert link.uac.get_timer() is None and link.uas.get_timer() is None
