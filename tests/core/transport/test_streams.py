"""TCP and TLS connections on loopback: framing into the sink, connection reuse, limits, the
idle lifetime, slow peers, and pyOpenSSL on both sides."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.transport import (
    Broken,
    StreamLimits,
    TLSSettings,
    Transports,
    bind,
    client_context,
    server_context,
)
from tests.integration.certs import make_pki

TIMEOUT = 5.0


class Sink:
    """Records what the transports deliver."""

    def __init__(self) -> None:
        self.messages: list[tuple[bytes, ReceiveInfo]] = []
        self.broken: list[Broken] = []
        self.arrived = asyncio.Event()

    def on_message(self, data: bytes, rcv: ReceiveInfo) -> None:
        self.messages.append((data, rcv))
        self.arrived.set()

    def on_broken(self, broken: Broken, rcv: ReceiveInfo) -> bytes | None:
        self.broken.append(broken)
        return b"SIP/2.0 %d %s\r\nContent-Length: 0\r\n\r\n" % (broken.status,
                                                               broken.reason.encode())

    async def wait(self, count: int) -> None:
        while len(self.messages) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), TIMEOUT)


def request(body: bytes = b"", call_id: str = "c1") -> bytes:
    return (f"OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\n"
            f"Call-ID: {call_id}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


async def serve(proto: str = "tcp", limits: StreamLimits | None = None,
                **tls: object) -> tuple[Transports, Sink, int]:
    bound = bind(SocketInfo(proto, "127.0.0.1", 0))
    transports = Transports([bound], limits=limits, **tls)  # type: ignore[arg-type]
    sink = Sink()
    await transports.start(sink)
    return transports, sink, bound.info.port


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 20))


def test_messages_on_a_connection_reach_the_sink_framed() -> None:
    async def main() -> None:
        transports, sink, port = await serve()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        data = request(b"abc", "one") + request(b"", "two")
        writer.write(data[:30])
        await writer.drain()
        writer.write(data[30:])
        await sink.wait(2)
        assert [m for m, _ in sink.messages] == [request(b"abc", "one"), request(b"", "two")]
        rcv = sink.messages[0][1]
        assert rcv.proto == "tcp" and rcv.connection_id > 0
        assert (rcv.src_ip, rcv.src_port) == writer.get_extra_info("sockname")[:2]
        writer.close()
        await transports.close()

    run(main)


def test_a_reply_goes_back_on_the_connection_the_request_came_in_on() -> None:
    async def main() -> None:
        transports, sink, port = await serve()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request())
        await sink.wait(1)
        rcv = sink.messages[0][1]
        assert transports.send("tcp", rcv.src_ip, rcv.src_port, b"SIP/2.0 200 OK\r\n\r\n")
        assert await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT) == \
            b"SIP/2.0 200 OK\r\n\r\n"
        writer.close()
        await transports.close()

    run(main)


def test_requests_to_the_same_peer_share_one_connection() -> None:
    async def main() -> None:
        server, server_sink, port = await serve()
        client, _, _ = await serve()
        assert client.send("tcp", "127.0.0.1", port, request(call_id="a"))
        assert client.send("tcp", "127.0.0.1", port, request(call_id="b"))
        await server_sink.wait(2)
        assert len({rcv.connection_id for _, rcv in server_sink.messages}) == 1
        await client.close()
        await server.close()

    run(main)


def test_set_forward_no_connect_refuses_to_open_a_connection() -> None:
    async def main() -> None:
        client, _, _ = await serve()
        assert not client.send("tcp", "127.0.0.1", 9, b"x", no_connect=True)
        await client.close()

    run(main)


def test_an_idle_connection_is_closed_after_its_lifetime() -> None:
    async def main() -> None:
        transports, _, port = await serve(limits=StreamLimits(lifetime=0.2))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.read(), TIMEOUT) == b""  # closed by the server
        writer.close()
        await transports.close()

    run(main)


def test_connections_over_the_limit_are_refused() -> None:
    async def main() -> None:
        transports, sink, port = await serve(limits=StreamLimits(max_connections=1))
        r1, w1 = await asyncio.open_connection("127.0.0.1", port)
        w1.write(request(call_id="first"))
        await sink.wait(1)
        r2, w2 = await asyncio.open_connection("127.0.0.1", port)
        w2.write(request(call_id="second"))
        assert await asyncio.wait_for(r2.read(), TIMEOUT) == b""
        assert len(sink.messages) == 1
        w1.close()
        w2.close()
        await transports.close()

    run(main)


def test_an_oversized_message_gets_513_and_the_connection_closes() -> None:
    async def main() -> None:
        transports, sink, port = await serve(limits=StreamLimits(max_message=200))
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request(b"x" * 500))
        answer = await asyncio.wait_for(reader.read(), TIMEOUT)
        assert answer.startswith(b"SIP/2.0 513 ")
        assert sink.messages == []
        writer.close()
        await transports.close()

    run(main)


def test_a_slow_peer_does_not_hold_up_another() -> None:
    async def main() -> None:
        transports, sink, port = await serve()
        _, slow = await asyncio.open_connection("127.0.0.1", port)
        slow.write(request(b"0123456789")[:-5])  # and then nothing
        _, fast = await asyncio.open_connection("127.0.0.1", port)
        fast.write(request(call_id="fast"))
        await sink.wait(1)
        assert b"Call-ID: fast" in sink.messages[0][0]
        slow.close()
        fast.close()
        await transports.close()

    run(main)


def test_tls_both_sides_with_pyopenssl(tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    server_side = TLSSettings(certificate=str(pki.server_cert),
                              private_key=str(pki.server_key), ca_list=str(pki.ca),
                              crl=str(pki.crl), verify_certificate=True,
                              require_certificate=True)
    client_side = TLSSettings(certificate=str(pki.client_cert),
                              private_key=str(pki.client_key), ca_list=str(pki.ca),
                              verify_certificate=True)

    async def main() -> None:
        server, sink, port = await serve("tls", tls_server=server_context(server_side))
        client, _, _ = await serve("tcp", tls_client=client_context(client_side))
        assert client.send("tls", "127.0.0.1", port, request(b"over tls"))
        await sink.wait(1)
        data, rcv = sink.messages[0]
        assert data == request(b"over tls") and rcv.proto == "tls"
        await client.close()
        await server.close()

    run(main)
