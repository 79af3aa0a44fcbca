"""One TCP connection (the base of TLS too): framing, keep-alive pongs, a bounded write queue.

Accepted and outgoing connections are the same class; the `Connections` table finds one by id
or by peer address, so replies and later requests to the same peer reuse it. Nothing a peer
does can block others: reads never wait for a whole message (the framer keeps the partial
one, bounded by the size limit), a peer that stops reading has its connection closed when the
queue of unsent octets passes `write_limit`, and idle connections are closed by the sweeper.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, cast

from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo

from .framing import Broken, Frame, Ping, StreamFramer
from .http_detect import HttpSide, Sniffer, http_handler

if TYPE_CHECKING:
    from .connections import Connections

log = logging.getLogger("siprouter.transport")


class StreamConnection(asyncio.Protocol):
    """A TCP connection carrying SIP; subclasses change how octets are (de)coded."""

    proto = "tcp"

    def __init__(self, table: Connections, local: SocketInfo, *, outgoing: bool,
                 peer: tuple[str, int] | None = None) -> None:
        self.table = table
        self.local = local
        self.outgoing = outgoing
        self.id = table.next_id()
        self.peer: tuple[str, int] = peer or ("", 0)
        self.framer = StreamFramer(max_size=table.limits.max_message,
                                   accept_no_cl=table.limits.accept_no_cl)
        self.transport: asyncio.Transport | None = None
        self.last_active = table.now()
        self._pending: list[bytes] = []  # written before the connection was up
        self._rcv: ReceiveInfo | None = None
        self.closed = False
        # HTTP on SIP ports (xhttp): an accepted connection's first line decides, once.
        self._sniffer = Sniffer() if not outgoing and http_handler() is not None else None
        self.http: HttpSide | None = None

    # --- asyncio callbacks ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio's, only alike.
        self.transport = cast(asyncio.Transport, transport)
        transport = self.transport
        peer = transport.get_extra_info("peername")
        if peer:
            self.peer = (str(peer[0]), int(peer[1]))
        if not self.table.admit(self):
            transport.abort()
            return
        self.started()
        pending, self._pending = self._pending, []
        for data in pending:
            self.write(data)

    def data_received(self, data: bytes) -> None:
        self.last_active = self.table.now()
        try:
            self.received(data)
        except Exception:  # a bug must cost one connection, never the worker
            log.exception("%s: error while handling data from %s:%d", self.proto, *self.peer)
            self.close()

    def eof_received(self) -> bool | None:
        return None  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.table.forget(self)

    # --- decoding (overridden by TLS) -------------------------------------------------------

    def started(self) -> None:
        """The connection is up (TLS starts its handshake here)."""

    def received(self, data: bytes) -> None:
        """Octets from the peer."""
        self.plaintext_received(data)

    def write(self, data: bytes) -> bool:
        """Queue `data` for the peer; False when the connection is gone."""
        if self.closed:
            return False
        if self.transport is None:
            self._pending.append(data)
            return True
        return self.write_raw(data)

    # --- shared -----------------------------------------------------------------------------

    @property
    def receive_info(self) -> ReceiveInfo:
        rcv = self._rcv
        if rcv is None:
            rcv = self._rcv = ReceiveInfo(self.proto, self.peer[0], self.peer[1], self.local,
                                          self.id)
        return rcv

    def plaintext_received(self, data: bytes) -> None:
        if self.http is not None:
            self.http.received(data)
            return
        if self._sniffer is not None:
            is_http, data = self._sniffer.feed(data)
            if is_http is None:
                return
            self._sniffer = None
            handler = http_handler()
            if is_http and handler is not None:
                limits = self.table.limits
                self.http = HttpSide(handler, self.receive_info, self.table.sink, self.write,
                                     lambda: self.close(flush=True), max_body=limits.max_message,
                                     accept_no_cl=limits.accept_no_cl)
                self.http.received(data)
                return
        sink = self.table.sink
        for event in self.framer.feed(data):
            if isinstance(event, Frame):
                try:
                    sink.on_message(event.data, self.receive_info)
                except Exception:
                    log.exception("%s: error while handling a message from %s:%d", self.proto,
                                  *self.peer)
            elif isinstance(event, Ping):
                self.write(b"\r\n")
            elif isinstance(event, Broken):
                log.info("%s: closing connection from %s:%d: %s", self.proto, self.peer[0],
                         self.peer[1], event.detail)
                reply = sink.on_broken(event, self.receive_info)
                if reply:
                    self.write(reply)
                self.close(flush=True)

    def write_raw(self, data: bytes) -> bool:
        transport = self.transport
        if transport is None or transport.is_closing():
            return False
        transport.write(data)
        if transport.get_write_buffer_size() > self.table.limits.write_limit:
            log.warning("%s: %s:%d does not read; closing its connection", self.proto,
                        *self.peer)
            self.close()
            return False
        return True

    def close(self, *, flush: bool = False) -> None:
        """Close now (or after the queued octets with `flush`)."""
        if self.closed:
            return
        self.closed = True
        self.table.forget(self)
        transport = self.transport
        if transport is not None:
            if flush:
                transport.close()
            else:
                transport.abort()
