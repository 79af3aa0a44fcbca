"""A worker's receive path wired to an in-memory transport: what it sends is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from siprouter.core.cfg.frontend import analyze_text
from siprouter.core.exports import default_registry
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.server.app import _load_runtime_extensions
from siprouter.core.server.forward import StatelessForwarder
from siprouter.core.server.identity import LocalIdentity
from siprouter.core.server.receive import Pipeline
from siprouter.core.server.responder import Responder
from siprouter.core.transport.listen import Alias

UDP = SocketInfo("udp", "127.0.0.1", 5060)
TCP = SocketInfo("tcp", "127.0.0.1", 5060)


@dataclass
class Sent:
    proto: str
    host: str
    port: int
    data: bytes


@dataclass
class MemoryTransports:
    sent: list[Sent] = field(default_factory=list)
    refuse: set[tuple[str, int]] = field(default_factory=set)  # destinations that fail

    def send(self, proto: str, host: str, port: int, data: bytes,
             socket: SocketInfo | None = None, *, no_connect: bool = False) -> bool:
        if (host, port) in self.refuse:
            return False
        self.sent.append(Sent(proto, host, port, data))
        return True

    def socket_for(self, proto: str, ip: str) -> SocketInfo | None:
        return {"udp": UDP, "tcp": TCP}.get(proto)


@dataclass
class Server:
    pipeline: Pipeline
    transports: MemoryTransports

    def receive(self, data: bytes, proto: str = "udp", src: tuple[str, int] = ("192.0.2.1", 5070),
                ) -> list[Sent]:
        before = len(self.transports.sent)
        sock = UDP if proto == "udp" else TCP
        self.pipeline.on_message(data, ReceiveInfo(proto, src[0], src[1], sock, 0))
        return self.transports.sent[before:]


@pytest.fixture
def server_for():
    """server_for(cfg_text) -> Server running that script."""
    _load_runtime_extensions()

    def build(text: str) -> Server:
        analysis = analyze_text(text)
        assert not analysis.errors, analysis.errors
        modules = [m.module for m in analysis.config.modules]
        script = compile_config(analysis.config, default_registry().loaded(modules))
        transports = MemoryTransports()
        identity = LocalIdentity([UDP, TCP], [Alias("proxy.example.com")])
        forwarder = StatelessForwarder(transports, identity, secret="s")
        responder = Responder(transports, "f" * 32)
        forwarder.replier = responder.reply
        pipeline = Pipeline(script, WorkerState(), identity, forwarder, responder)
        return Server(pipeline, transports)

    return build


def request(method: str = "OPTIONS", ruri: str = "sip:bob@example.com", *,
            via: str = "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKabc",
            extra: str = "", max_forwards: int = 70, to_tag: str = "") -> bytes:
    return (f"{method} {ruri} SIP/2.0\r\nVia: {via}\r\n"
            f"From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:bob@example.com>{to_tag}\r\n"
            f"Call-ID: call-1\r\nCSeq: 1 {method}\r\nMax-Forwards: {max_forwards}\r\n"
            f"{extra}Content-Length: 0\r\n\r\n").encode()
