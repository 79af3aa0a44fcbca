"""UDP: one datagram is one message (RFC 3261 s18.3); keep-alive CRLFs are dropped here."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo

from .sink import MessageSink

log = logging.getLogger("siprouter.transport")


class UDPEndpoint(asyncio.DatagramProtocol):
    """Receives datagrams on one listening socket and sends through it."""

    def __init__(self, info: SocketInfo, sink: MessageSink) -> None:
        self.info = info
        self.sink = sink
        self.transport: asyncio.DatagramTransport | None = None
        # One ReceiveInfo per peer address, reused: most traffic comes from few peers.
        self._rcv_cache: dict[tuple[Any, ...], ReceiveInfo] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's UDP transport is not a subclass of asyncio's, only alike.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        if len(data) <= 4 and not data.strip(b"\r\n\x00 "):
            return  # NAT keep-alive (CRLF, CRLFCRLF, or a zero byte): no SIP message
        rcv = self._rcv_cache.get(addr)
        if rcv is None:
            if len(self._rcv_cache) > 4096:
                self._rcv_cache.clear()
            rcv = ReceiveInfo("udp", addr[0], addr[1], self.info)
            self._rcv_cache[addr] = rcv
        try:
            self.sink.on_message(data, rcv)
        except Exception:  # a bug must cost one message, never the worker
            log.exception("error while handling a datagram from %s:%s", addr[0], addr[1])

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable from an earlier send: nothing to do for a stateless element.
        log.debug("udp %s: %s", self.info, exc)

    def send(self, data: bytes, host: str, port: int) -> bool:
        """Send one datagram; False when the socket is closed or the send failed."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return False
        try:
            transport.sendto(data, (host, port))
        except (OSError, ValueError) as exc:
            log.error("udp send to %s:%d failed: %s", host, port, exc)
            return False
        return True
