"""tm's engine on a fake clock: how long it keeps what a call made, its fr timers, CANCEL.
One worker's receive path and tm engine on examples/stateful-relay.cfg, with a transport
that records what it sends."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from siprouter.core.cfg.frontend import analyze_file
from siprouter.core.exports import default_registry
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.server.app import _load_runtime_extensions
from siprouter.core.server.forward import StatelessForwarder
from siprouter.core.server.identity import LocalIdentity
from siprouter.core.server.receive import Pipeline
from siprouter.core.server.responder import Responder
from siprouter.core.server.settings import from_config, modparam_values
from siprouter.modules.tm.engine import TmEngine
from siprouter.modules.tm.state import TmSettings, TmTransaction

CONFIG = Path(__file__).resolve().parents[3] / "examples" / "stateful-relay.cfg"
PROXY = SocketInfo("udp", "127.0.0.1", 5060)
UAC = ReceiveInfo("udp", "127.0.0.1", 5061, PROXY)
UAS = ReceiveInfo("udp", "127.0.0.1", 5070, PROXY)


@dataclass
class Recorder:
    """The transports: what was sent, to which port."""

    sent: list[tuple[int, bytes]] = field(default_factory=list)

    def send(self, proto: str, host: str, port: int, data: bytes,
             socket: SocketInfo | None = None, *, no_connect: bool = False) -> bool:
        self.sent.append((port, data))
        return True

    def socket_for(self, proto: str, ip: str) -> SocketInfo | None:
        return PROXY

    def last_to(self, port: int) -> bytes:
        return [d for p, d in self.sent if p == port][-1]


@dataclass
class Proxy:
    pipeline: Pipeline
    engine: TmEngine
    wire: Recorder
    now: list[float]

    def advance(self, seconds: float) -> None:
        self.now[0] += seconds
        self.engine.handle_timers(self.now[0])


@pytest.fixture
def proxy() -> Proxy:
    _load_runtime_extensions()
    analysis = analyze_file(str(CONFIG), {"DST_URI": '"sip:127.0.0.1:5070"',
                                          "LISTEN": "udp:127.0.0.1:5060"})
    settings = from_config(analysis.config)
    script = compile_config(analysis.config, default_registry().loaded(settings.modules))
    wire = Recorder()
    identity = LocalIdentity([PROXY])
    forwarder = StatelessForwarder(wire, identity, secret="test")  # type: ignore[arg-type]
    responder = Responder(wire, "0" * 32)  # type: ignore[arg-type]
    forwarder.replier = responder.reply
    worker = WorkerState()
    pipeline = Pipeline(script, worker, identity, forwarder, responder)
    now = [1000.0]
    engine = TmEngine(script=script, worker=worker, forwarder=forwarder,
                      settings=TmSettings.from_params(modparam_values(script.config, "tm")),
                      clock=lambda: now[0], schedule=lambda deadline: None)
    vars(worker)["tm_engine"] = engine
    pipeline.reply_hooks = [engine]
    return Proxy(pipeline, engine, wire, now)


def answer(request: bytes, code: int, reason: str) -> bytes:
    """The UAS's reply to a request the proxy relayed: its Vias, From, To (tagged), Call-ID
    and CSeq."""
    head = request.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
    keep = [h for h in head if h.split(b":", 1)[0].lower() in (b"via", b"from", b"call-id",
                                                                 b"cseq", b"record-route")]
    to = [h + b";tag=uas" for h in head if h.lower().startswith(b"to:")]
    return b"\r\n".join([b"SIP/2.0 %d %s" % (code, reason.encode()), *keep, *to,
                         b"Content-Length: 0", b"", b""])


def invite(proxy: Proxy, n: int, *answers: tuple[int, str]) -> TmTransaction:
    """A call from the UAC, answered by the UAS with `answers`; its transaction."""
    proxy.pipeline.on_message(
        b"INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-life-%d\r\n"
        b"From: <sip:a@127.0.0.1>;tag=a%d\r\nTo: <sip:service@127.0.0.1>\r\n"
        b"Call-ID: life-%d\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
        b"Content-Length: 0\r\n\r\n" % (n, n, n), UAC)
    tm = next(reversed(proxy.engine.by_server.values()))
    relayed = proxy.wire.last_to(5070)
    for code, reason in answers:
        proxy.pipeline.on_message(answer(relayed, code, reason), UAS)
        assert proxy.wire.last_to(5061).startswith(b"SIP/2.0 %d" % code)
    return tm


def test_an_answered_call_is_forgotten_once_wt_timer_has_passed(proxy: Proxy) -> None:
    ringing = invite(proxy, 0, (180, "Ringing"))  # its fr_inv_timer runs 2 min
    made: list[weakref.ref[TmTransaction]] = []
    for n in range(1, 300):
        made.append(weakref.ref(invite(proxy, n, (180, "Ringing"), (200, "OK"))))
        proxy.advance(0.01)
    proxy.advance(5.1)  # wt_timer (5 s), far before fr_inv_timer
    assert list(proxy.engine.by_server.values()) == [ringing]
    assert [ref() for ref in made] == [None] * len(made)  # nothing holds them any more


def test_a_retransmitted_invite_within_wt_timer_is_absorbed(proxy: Proxy) -> None:
    invite(proxy, 1, (180, "Ringing"), (200, "OK"))
    invites = sum(1 for port, _ in proxy.wire.sent if port == 5070)
    proxy.advance(4.0)
    proxy.pipeline.on_message(
        b"INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-life-1\r\n"
        b"From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:service@127.0.0.1>\r\n"
        b"Call-ID: life-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
        b"Content-Length: 0\r\n\r\n", UAC)
    assert sum(1 for port, _ in proxy.wire.sent if port == 5070) == invites


def sent_since(proxy: Proxy, mark: int, port: int, start: bytes) -> list[bytes]:
    return [d for p, d in proxy.wire.sent[mark:] if p == port and d.startswith(start)]


def test_a_branch_ringing_past_fr_inv_timer_is_cancelled_and_answered_408(proxy: Proxy) -> None:
    invite(proxy, 1, (180, "Ringing"))
    mark = len(proxy.wire.sent)
    proxy.advance(119.0)  # fr_inv_timer: 120 s from the 180
    assert sent_since(proxy, mark, 5070, b"CANCEL ") == []
    proxy.advance(1.1)
    assert len(sent_since(proxy, mark, 5070, b"CANCEL ")) == 1
    assert len(sent_since(proxy, mark, 5061, b"SIP/2.0 408 ")) == 1


def test_each_provisional_reply_restarts_fr_inv_timer(proxy: Proxy) -> None:
    invite(proxy, 1, (180, "Ringing"))
    relayed = proxy.wire.last_to(5070)
    proxy.advance(100.0)
    proxy.pipeline.on_message(answer(relayed, 183, "Session Progress"), UAS)
    mark = len(proxy.wire.sent)
    proxy.advance(119.0)  # 219 s from the 180, 119 s from the 183
    assert sent_since(proxy, mark, 5070, b"CANCEL ") == []
    proxy.advance(1.1)
    assert len(sent_since(proxy, mark, 5070, b"CANCEL ")) == 1


def test_a_branch_cancelled_before_it_answered_is_cancelled_at_its_first_1xx(
        proxy: Proxy) -> None:
    invite(proxy, 1)  # the UAS has not answered yet
    proxy.pipeline.on_message(
        b"CANCEL sip:service@127.0.0.1:5060 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-life-1\r\n"
        b"From: <sip:a@127.0.0.1>;tag=a1\r\nTo: <sip:service@127.0.0.1>\r\n"
        b"Call-ID: life-1\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\n"
        b'Reason: Q.850;cause=16;text="Terminated"\r\nContent-Length: 0\r\n\r\n', UAC)
    relayed = [d for p, d in proxy.wire.sent if p == 5070 and d.startswith(b"INVITE ")][-1]
    assert sent_since(proxy, 0, 5070, b"CANCEL ") == []  # s9.1: not before it answered
    mark = len(proxy.wire.sent)
    proxy.pipeline.on_message(answer(relayed, 180, "Ringing"), UAS)
    cancels = sent_since(proxy, mark, 5070, b"CANCEL ")
    assert len(cancels) == 1
    assert b'Reason: Q.850;cause=16;text="Terminated"' in cancels[0]
    assert sent_since(proxy, mark, 5061, b"SIP/2.0 180 ") == []  # the caller cancelled


def test_each_branch_relayed_has_a_fresh_rfc3261_branch_of_its_own(proxy: Proxy) -> None:
    # the random part comes from a pool of system random octets refilled every 64 branches
    branches = []
    for n in range(150):
        invite(proxy, 1000 + n)
        top = proxy.wire.last_to(5070).split(b"\r\n")[1]
        assert top.startswith(b"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK")
        branches.append(top.split(b"branch=")[1].split(b";")[0])
    assert len(set(branches)) == len(branches)
    assert all(len(b) == 7 + 20 and int(b[7:], 16) >= 0 for b in branches)


def ack(n: int, code: int, *, route: bool) -> bytes:
    """The UAC's ACK for call `n` (invite()), answered `code`: it keeps the INVITE's Via branch
    (an RFC 2543 client, or one that reuses the branch), with the proxy's Record-Route as its
    Route when `route`."""
    return (b"ACK sip:b@127.0.0.1:5070 SIP/2.0\r\n"
            b"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-life-%d\r\n"
            b"%sFrom: <sip:a@127.0.0.1>;tag=a%d\r\nTo: <sip:service@127.0.0.1>;tag=%s\r\n"
            b"Call-ID: life-%d\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\n"
            b"Content-Length: 0\r\n\r\n"
            % (n, b"Route: <sip:127.0.0.1:5060;lr>\r\n" if route else b"", n,
               b"uas" if code < 300 else b"x", n))


@pytest.mark.parametrize("route", [True, False], ids=["loose_route", "t_check_trans"])
def test_an_ack_of_a_2xx_matching_the_invite_transaction_goes_on_end_to_end(
        proxy: Proxy, route: bool) -> None:
    # Kamailio: t_check_trans() is true for an e2e ACK and t_relay() sends it on statelessly
    invite(proxy, 1, (180, "Ringing"), (200, "OK"))
    mark = len(proxy.wire.sent)
    proxy.pipeline.on_message(ack(1, 200, route=route), UAC)
    acks = sent_since(proxy, mark, 5070, b"ACK ")
    assert len(acks) == 1
    assert acks[0].startswith(b"ACK sip:b@127.0.0.1:5070 ")
    assert b"Route:" not in acks[0]  # loose_route took our own Route off
    assert acks[0].split(b"\r\n")[1].startswith(b"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=")


def test_the_ack_of_a_negative_reply_stays_hop_by_hop(proxy: Proxy) -> None:
    tm = invite(proxy, 1, (180, "Ringing"), (486, "Busy Here"))
    to_tag = proxy.wire.last_to(5061).split(b"To: ", 1)[1].split(b"tag=", 1)[1].split(b"\r\n")[0]
    mark = len(proxy.wire.sent)
    proxy.pipeline.on_message(ack(1, 486, route=False).replace(b"tag=x", b"tag=" + to_tag), UAC)
    assert sent_since(proxy, mark, 5070, b"ACK ") == []  # tm ACKed the 486 itself
    assert tm.server.state.value == "Confirmed"


def cancel(proxy: Proxy, n: int) -> None:
    """The UAC cancels call `n` (invite())."""
    proxy.pipeline.on_message(
        b"CANCEL sip:service@127.0.0.1:5060 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-life-%d\r\n"
        b"From: <sip:a@127.0.0.1>;tag=a%d\r\nTo: <sip:service@127.0.0.1>\r\n"
        b"Call-ID: life-%d\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\n"
        b"Content-Length: 0\r\n\r\n" % (n, n, n), UAC)


def test_cancel_b_method_defaults_to_1_and_reads_the_modparam() -> None:
    assert TmSettings().cancel_b_method == 1
    assert TmSettings.from_params({"cancel_b_method": 2}).cancel_b_method == 2


def test_cancel_b_method_1_an_unanswered_branch_is_retransmitted_until_its_fr_timer(
        proxy: Proxy) -> None:
    # README.tm cancel_b_method 1 (the default), as Kamailio 5.6 does on the wire: the caller
    # gets 200 for its CANCEL, the INVITE is retransmitted, no CANCEL goes to a branch that
    # never answered, and the caller's 487 comes when fr_timer (30 s) gives the branch up
    invite(proxy, 1)
    mark = len(proxy.wire.sent)
    cancel(proxy, 1)
    assert len(sent_since(proxy, mark, 5061, b"SIP/2.0 200 ")) == 1
    assert sent_since(proxy, mark, 5061, b"SIP/2.0 487 ") == []
    for _ in range(30):
        proxy.advance(0.1)
    assert len(sent_since(proxy, mark, 5070, b"INVITE ")) >= 2  # at 0.5 s, 1.5 s ...
    proxy.advance(25.0)
    assert sent_since(proxy, mark, 5061, b"SIP/2.0 487 ") == []
    proxy.advance(2.1)
    assert len(sent_since(proxy, mark, 5061, b"SIP/2.0 487 ")) == 1
    assert sent_since(proxy, mark, 5061, b"SIP/2.0 408 ") == []
    assert sent_since(proxy, mark, 5070, b"CANCEL ") == []
    late = len(proxy.wire.sent)
    proxy.advance(10.0)
    assert sent_since(proxy, late, 5070, b"INVITE ") == []  # given up


def test_cancel_b_method_1_the_uas_487_after_its_cancel_goes_to_the_caller(
        proxy: Proxy) -> None:
    invite(proxy, 1)
    relayed = proxy.wire.last_to(5070)
    cancel(proxy, 1)
    proxy.advance(1.0)
    mark = len(proxy.wire.sent)
    proxy.pipeline.on_message(answer(relayed, 180, "Ringing"), UAS)
    assert len(sent_since(proxy, mark, 5070, b"CANCEL ")) == 1
    assert sent_since(proxy, mark, 5061, b"SIP/2.0 487 ") == []
    proxy.pipeline.on_message(answer(relayed, 487, "Request Terminated"), UAS)
    assert len(sent_since(proxy, mark, 5061, b"SIP/2.0 487 ")) == 1
    assert len(sent_since(proxy, mark, 5070, b"ACK ")) == 1


def test_cancel_b_method_0_an_unanswered_branch_is_answered_487_at_once(proxy: Proxy) -> None:
    proxy.engine.settings.cancel_b_method = 0
    invite(proxy, 1)
    relayed = proxy.wire.last_to(5070)
    mark = len(proxy.wire.sent)
    cancel(proxy, 1)
    assert len(sent_since(proxy, mark, 5061, b"SIP/2.0 487 ")) == 1
    for _ in range(50):
        proxy.advance(0.1)
    assert sent_since(proxy, mark, 5070, b"INVITE ") == []  # its retransmissions stopped
    proxy.pipeline.on_message(answer(relayed, 180, "Ringing"), UAS)
    assert len(sent_since(proxy, mark, 5070, b"CANCEL ")) == 1  # a late 1xx is cancelled


def test_cancel_b_method_2_an_unanswered_branch_is_cancelled_at_once(proxy: Proxy) -> None:
    proxy.engine.settings.cancel_b_method = 2
    invite(proxy, 1)
    relayed = proxy.wire.last_to(5070)
    mark = len(proxy.wire.sent)
    cancel(proxy, 1)
    assert len(sent_since(proxy, mark, 5070, b"CANCEL ")) == 1
    assert sent_since(proxy, mark, 5061, b"SIP/2.0 487 ") == []
    for _ in range(50):
        proxy.advance(0.1)
    assert sent_since(proxy, mark, 5070, b"INVITE ") == []  # its retransmissions stopped
    proxy.pipeline.on_message(answer(relayed, 487, "Request Terminated"), UAS)
    assert len(sent_since(proxy, mark, 5061, b"SIP/2.0 487 ")) == 1


@pytest.mark.parametrize("via, proto, rport", [
    ("SIP/2.0/UDP 10.0.0.1:5061;branch=z9hG4bK1", "udp", False),
    ("SIP/2.0/UDP 10.0.0.1:5061;rport;branch=z9hG4bK1", "udp", False),
    ("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1", "udp", False),
    ("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1", "udp", True),
    ("SIP/2.0/UDP host.example.com;received=1.2.3.4;rport=9;branch=z9hG4bK1", "udp", False),
    ("SIP/2.0/UDP 10.0.0.1:5061;maddr=239.1.1.1;branch=z9hG4bK1", "udp", False),
    ("SIP/2.0/TLS [2001:db8::1];branch=z9hG4bK1", "udp", False),
    ("SIP/2.0/TCP 10.0.0.1:5061;branch=z9hG4bK1", "tcp", False),
    ("SIP/2.0/TLS 10.0.0.1;rport;branch=z9hG4bK1", "tls", True),
])
def test_replies_go_where_the_received_via_says(proxy: Proxy, via: str, proto: str,
                                                rport: bool) -> None:
    from siprouter.core.server.replies import received_via, reply_destination
    from siprouter.core.sip.via import parse_via

    top = parse_via(via)
    for rcv in (ReceiveInfo(proto, "192.0.2.7", 40000, PROXY),
                ReceiveInfo(proto, "2001:db8::7", 40001, PROXY)):
        want = reply_destination(received_via(top, rcv.src_ip, rcv.src_port, rport), proto,
                                 rcv.src_ip, rcv.src_port)
        assert proxy.engine._reply_to(top, rcv, rport) == want
        assert proxy.engine._reply_to(top, rcv, rport) == want  # kept, the same again


def test_a_negative_reply_unacknowledged_is_retransmitted_until_fr_timer(proxy: Proxy) -> None:
    # Kamailio retransmits a final reply >= 300 to an INVITE until fr_timer (here 30 s), not
    # RFC 3261's timer H (64*T1 = 32 s): the retransmission due at 31.5 s does not go
    invite(proxy, 1, (404, "Not Found"))
    mark = len(proxy.wire.sent)
    for _ in range(290):
        proxy.advance(0.1)
    assert len(sent_since(proxy, mark, 5061, b"SIP/2.0 404 ")) == 9  # 0.5, 1.5, 3.5, 7.5 ... 27.5 s
    late = len(proxy.wire.sent)
    for _ in range(40):
        proxy.advance(0.1)
    assert sent_since(proxy, late, 5061, b"SIP/2.0 404 ") == []
    proxy.advance(10.0)  # given up and forgotten (wt_timer has no part after timer H)
    assert proxy.engine.by_server == {}
