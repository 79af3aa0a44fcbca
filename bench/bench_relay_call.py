"""One SIPp call through a stateless relay worker, in process: CPU and instructions per call.

The six messages the proxy of bench_stateless_relay.py sees for one call of SIPp's built-in
uac/uas scenarios (INVITE, 180, 200, ACK, BYE, 200), as SIPp writes them (every Via of a reply
on one line), each call with its own Call-ID, tags and branches, go through one worker's
receive pipeline for examples/stateless-relay.cfg with sending replaced by recording. This is
the whole Python path per call without sockets, the event loop or other processes:

    python bench/bench_relay_call.py                 # CPU µs per call, best of 3
    valgrind --tool=callgrind python bench/bench_relay_call.py --calls 100 --rounds 1
    valgrind --tool=callgrind python bench/bench_relay_call.py --calls 100 --rounds 3
    # 10 and 2 passes over the 100 calls (warm-up included): the difference / 800 is the
    # instructions per call
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

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

CONFIG = Path(__file__).resolve().parents[1] / "examples" / "stateless-relay.cfg"
PROXY, UAC, UAS = "127.0.0.1:5060", "127.0.0.1:5061", "127.0.0.1:5070"
SDP = ("v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")
_DIALOG = ("From: sipp <sip:sipp@{uac}>;tag=1234SIPpTag00{n}\r\n"
           "To: service <sip:service@{proxy}>{totag}\r\nCall-ID: {n}-1234@127.0.0.1\r\n")
_REQUEST = ("{method} sip:service@{proxy} SIP/2.0\r\n"
            "Via: SIP/2.0/UDP {uac};branch=z9hG4bK-1234-{n}-{b}\r\n" + _DIALOG +
            "CSeq: {cseq}\r\nContact: sip:sipp@{uac}\r\nMax-Forwards: 70\r\n"
            "Subject: Performance Test\r\n{body}")
_REPLY = ("SIP/2.0 {status}\r\n"
          "Via: SIP/2.0/UDP {proxy};branch=z9hG4bK{ours}, "
          "SIP/2.0/UDP {uac};branch=z9hG4bK-1234-{n}-{b}\r\n" + _DIALOG +
          "CSeq: {cseq}\r\nContact: <sip:{uas};transport=UDP>\r\n{body}")
_TOTAG = ";tag=5678SIPpTag01{n}"


def _body(sdp: bool) -> str:
    if not sdp:
        return "Content-Length: 0\r\n\r\n"
    return f"Content-Type: application/sdp\r\nContent-Length:   {len(SDP)}\r\n\r\n{SDP}"


def call(n: int) -> list[tuple[str, bytes]]:
    """The six datagrams of call `n`, each with who sent it ("uac" or "uas")."""
    common = {"n": n, "proxy": PROXY, "uac": UAC, "uas": UAS, "ours": f"x{n}"}
    totag = _TOTAG.format(n=n)
    return [(sender, text.format(**common, **kw).encode()) for sender, text, kw in (
        ("uac", _REQUEST, {"method": "INVITE", "b": 0, "totag": "", "cseq": "1 INVITE",
                           "body": _body(True)}),
        ("uas", _REPLY, {"status": "180 Ringing", "b": 0, "totag": totag, "cseq": "1 INVITE",
                         "body": _body(False)}),
        ("uas", _REPLY, {"status": "200 OK", "b": 0, "totag": totag, "cseq": "1 INVITE",
                         "body": _body(True)}),
        ("uac", _REQUEST, {"method": "ACK", "b": 5, "totag": totag, "cseq": "1 ACK",
                           "body": _body(False)}),
        ("uac", _REQUEST, {"method": "BYE", "b": 7, "totag": totag, "cseq": "2 BYE",
                           "body": _body(False)}),
        ("uas", _REPLY, {"status": "200 OK", "b": 7, "totag": totag, "cseq": "2 BYE",
                         "body": _body(False)}),
    )]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--calls", type=int, default=100, help="distinct calls replayed per round")
    p.add_argument("--rounds", type=int, default=20, help="rounds per measurement")
    args = p.parse_args()
    _load_runtime_extensions()
    host, port = PROXY.split(":")
    analysis = analyze_file(str(CONFIG), {"DST_PORT": UAS.split(":")[1]})
    script = compile_config(analysis.config, default_registry().loaded(["sl"]))
    sock = SocketInfo("udp", host, int(port))
    sent: list[bytes] = []

    class Recording:
        def send(self, proto: str, host: str, port: int, data: bytes,
                 socket: SocketInfo | None = None, *, no_connect: bool = False) -> bool:
            sent.append(data)
            return True

        def socket_for(self, proto: str, ip: str) -> SocketInfo | None:
            return sock

    transports = Recording()
    forwarder = StatelessForwarder(transports, LocalIdentity([sock]), secret="bench")
    responder = Responder(transports, "0" * 32)
    forwarder.replier = responder.reply
    pipeline = Pipeline(script, WorkerState(), LocalIdentity([sock]), forwarder, responder)
    peers = {who: ReceiveInfo("udp", "127.0.0.1", int(addr.split(":")[1]), sock)
             for who, addr in (("uac", UAC), ("uas", UAS))}
    feed = [(data, peers[who]) for n in range(args.calls) for who, data in call(n)]
    on_message = pipeline.on_message
    for data, rcv in feed:  # warm-up, and every message must go out
        on_message(data, rcv)
    if len(sent) != len(feed):
        raise SystemExit(f"only {len(sent)} of {len(feed)} messages were relayed")
    best = float("inf")
    for _ in range(3 if args.rounds > 1 else 1):
        began = time.process_time()
        for _ in range(args.rounds):
            for data, rcv in feed:
                on_message(data, rcv)
        best = min(best, (time.process_time() - began) / (args.rounds * args.calls) * 1e6)
    print(f"{best:.0f} µs CPU per call (6 messages, {args.calls} distinct calls, best of 3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
