"""A datagram waiting when a worker starts is answered: the endpoint is known before it reads."""

from __future__ import annotations

import asyncio
import socket

from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.server.worker import new_event_loop
from siprouter.core.transport import Transports, bind


class Echo:
    """Answers every datagram at once, from inside the receive callback."""

    def __init__(self) -> None:
        self.transports: Transports | None = None
        self.sent: list[bool] = []

    def on_message(self, data: bytes, rcv: ReceiveInfo) -> None:
        assert self.transports is not None
        self.sent.append(self.transports.send("udp", rcv.src_ip, rcv.src_port, b"re:" + data,
                                              rcv.socket))

    def on_broken(self, broken: object, rcv: ReceiveInfo) -> bytes | None:
        return None


def test_datagrams_queued_before_start_are_answered() -> None:
    bound = [bind(SocketInfo("udp", "127.0.0.1", 0)) for _ in range(3)]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        for b in bound:  # waiting in every socket's queue before the worker reads
            peer.sendto(b"%d" % b.info.port, ("127.0.0.1", b.info.port))

        async def start() -> Echo:
            transports = Transports(bound)
            echo = Echo()
            echo.transports = transports
            await transports.start(echo)
            await asyncio.sleep(0.2)
            await transports.close()
            return echo

        with asyncio.Runner(loop_factory=new_event_loop) as runner:  # uvloop, as a worker
            echo = runner.run(start())
        answers = sorted(peer.recv(100) for _ in bound)
    assert echo.sent == [True, True, True]
    assert answers == sorted(b"re:%d" % b.info.port for b in bound)
