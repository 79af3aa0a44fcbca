"""UDP sends leave through the socket asked for: given as one of the worker's own SocketInfo
objects (found by identity), as an equal copy of one (found by value), or not given (the
first socket of the address family)."""

from __future__ import annotations

import asyncio
import socket

from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.server.worker import new_event_loop
from siprouter.core.transport import Transports, bind


class Quiet:
    def on_message(self, data: bytes, rcv: ReceiveInfo) -> None:
        pass

    def on_broken(self, broken: object, rcv: ReceiveInfo) -> bytes | None:
        return None


def test_a_send_leaves_through_the_socket_asked_for() -> None:
    bound = [bind(SocketInfo("udp", "127.0.0.1", 0)) for _ in range(2)]
    first, second = (b.info for b in bound)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        port = peer.getsockname()[1]
        cases = [
            (second, second.port),  # our own object
            (first, first.port),
            (SocketInfo("udp", "127.0.0.1", second.port), second.port),  # an equal copy
            (None, first.port),  # none given: the first of the family
            (second, second.port),  # and again by identity
        ]

        async def run() -> list[bool]:
            transports = Transports(bound)
            await transports.start(Quiet())
            sent = [transports.send("udp", "127.0.0.1", port, b"%d" % n, sock)
                    for n, (sock, _) in enumerate(cases)]
            await asyncio.sleep(0.1)
            await transports.close()
            return sent

        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            sent = runner.run(run())
        got = {}
        for _ in cases:
            data, addr = peer.recvfrom(100)
            got[int(data)] = addr[1]
    assert sent == [True] * len(cases)
    assert got == {n: source for n, (_, source) in enumerate(cases)}
