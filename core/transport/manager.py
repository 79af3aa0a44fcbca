"""All transports of one worker behind one `send` (the runtime's `Sender`).

`Transports.start()` serves the inherited listening sockets on the running loop; `send()`
picks the UDP socket or the stream connection for a destination: an open connection to the
peer is reused (replies go back on the connection the request came in on), else one is opened
unless the caller forbids it (`set_forward_no_connect`). Host names are resolved with
getaddrinfo in a thread, then the message is sent.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

from OpenSSL import SSL

from siprouter.core.runtime.sipstate import SocketInfo

from .connections import Connections, StreamLimits, local_for
from .listen import is_ip
from .sink import MessageSink
from .sockets import BoundSocket
from .stream import StreamConnection
from .tls import TLSConnection
from .udp import UDPEndpoint

log = logging.getLogger("siprouter.transport")

SWEEP_INTERVAL = 1.0


class Transports:
    """The UDP endpoints, stream listeners and connections of one worker."""

    def __init__(self, sockets: list[BoundSocket], *,
                 limits: StreamLimits | None = None,
                 tls_server: SSL.Context | None = None,
                 tls_client: SSL.Context | None = None,
                 tls_server_name: str | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.bound = sockets
        self.sockets = [b.info for b in sockets]
        self.sink: MessageSink | None = None
        self.limits = limits or StreamLimits()
        self.tls_server = tls_server
        self.tls_client = tls_client
        self.tls_server_name = tls_server_name
        self._clock = clock
        self.udp: list[UDPEndpoint] = []
        self._udp_by_socket: dict[SocketInfo, UDPEndpoint] = {}
        # id(socket) -> (socket, endpoint): found by identity, as send() is nearly always
        # given one of our own SocketInfo objects (hashing one runs the dataclass __hash__)
        self._udp_by_id: dict[int, tuple[SocketInfo, UDPEndpoint]] = {}
        self.servers: list[asyncio.AbstractServer] = []
        self.connections: Connections | None = None
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self, sink: MessageSink) -> None:
        """Serve every listening socket on the running loop, handing messages to `sink`."""
        loop = asyncio.get_running_loop()
        self.sink = sink
        self.connections = Connections(sink, self.limits, self._clock or loop.time)
        for b in self.bound:
            if b.info.proto == "udp":
                # Known before it reads: a datagram can be handled (and answered) before this
                # coroutine resumes after the await.
                endpoint = UDPEndpoint(b.info, sink)
                self.udp.append(endpoint)
                self._udp_by_socket[b.info] = endpoint
                self._udp_by_id[id(b.info)] = (b.info, endpoint)
                await loop.create_datagram_endpoint(
                    lambda endpoint=endpoint: endpoint, sock=b.sock)  # type: ignore[misc]
            else:
                server = await loop.create_server(
                    self._acceptor(b.info), sock=b.sock, backlog=1024)
                self.servers.append(server)
        self._sweeper = loop.create_task(self._sweep())

    def _acceptor(self, info: SocketInfo) -> Callable[[], StreamConnection]:
        table = self.connections
        assert table is not None
        if info.proto == "tls":
            ctx = self.tls_server
            if ctx is None:
                raise RuntimeError("a tls listener needs the tls module's certificate")
            return lambda: TLSConnection(table, info, ctx, outgoing=False)
        return lambda: StreamConnection(table, info, outgoing=False)

    async def _sweep(self) -> None:
        interval = min(SWEEP_INTERVAL, max(self.limits.lifetime / 4, 0.05))
        while True:
            await asyncio.sleep(interval)
            if self.connections is not None:
                self.connections.sweep()

    async def close(self) -> None:
        """Stop serving, close every connection and endpoint."""
        if self._sweeper is not None:
            self._sweeper.cancel()
        for server in self.servers:
            server.close()
        if self.connections is not None:
            self.connections.close_all()
        for endpoint in self.udp:
            if endpoint.transport is not None:
                endpoint.transport.close()

    # --- sending ----------------------------------------------------------------------------

    def socket_for(self, proto: str, ip: str) -> SocketInfo | None:
        """The listening socket that would send to `ip` over `proto`."""
        return local_for(self.sockets, proto, ip)

    def send(self, proto: str, host: str, port: int, data: bytes,
             socket: SocketInfo | None = None, *, no_connect: bool = False) -> bool:
        """Send `data` to host:port; False when it cannot be sent now (no socket of that
        protocol and family, no connection and `no_connect`, a closed connection)."""
        proto = proto.lower()
        if host.startswith("["):
            host = host[1:-1]
        if not is_ip(host):
            asyncio.get_running_loop().create_task(
                self._resolve_and_send(proto, host, port, data, socket, no_connect))
            return True
        if proto == "udp":
            known = self._udp_by_id.get(id(socket))
            if known is not None and known[0] is socket:
                return known[1].send(data, host, port)
            endpoint = self._udp_endpoint(socket, host)
            if endpoint is None:
                log.error("no udp socket to send to %s:%d", host, port)
                return False
            return endpoint.send(data, host, port)
        if proto in ("tcp", "tls"):
            return self._send_stream(proto, host, port, data, socket, no_connect)
        log.error("cannot send over %s", proto)
        return False

    def _udp_endpoint(self, socket: SocketInfo | None, host: str) -> UDPEndpoint | None:
        if socket is not None and socket.proto == "udp":
            endpoint = self._udp_by_socket.get(socket)
            if endpoint is not None:
                return endpoint
        v6 = ":" in host
        for endpoint in self.udp:
            if (":" in endpoint.info.ip) == v6:
                return endpoint
        return None

    def _send_stream(self, proto: str, host: str, port: int, data: bytes,
                     socket: SocketInfo | None, no_connect: bool) -> bool:
        table = self.connections
        if table is None:
            return False
        conn = table.find(proto, host, port)
        if conn is not None:
            return conn.write(data)
        if no_connect:
            log.info("%s: no connection to %s:%d and connecting is off", proto, host, port)
            return False
        local = socket if socket is not None and socket.proto == proto else \
            local_for(self.sockets, proto, host)
        if local is None:
            local = SocketInfo(proto, "0.0.0.0" if ":" not in host else "::", 0)
        if proto == "tls":
            ctx = self.tls_client
            if ctx is None:
                log.error("tls: cannot connect to %s:%d: tls is not enabled", host, port)
                return False
            name = self.tls_server_name
            conn = table.connect(
                lambda: TLSConnection(table, local, ctx, outgoing=True, server_name=name),
                host, port)
        else:
            conn = table.connect(lambda: StreamConnection(table, local, outgoing=True),
                                 host, port)
        return conn.write(data)

    async def _resolve_and_send(self, proto: str, host: str, port: int, data: bytes,
                                socket: SocketInfo | None, no_connect: bool) -> None:
        ip = await resolve(host, port, proto)
        if ip is None:
            log.error("cannot resolve %s: message to it dropped", host)
            return
        self.send(proto, ip, port, data, socket, no_connect=no_connect)


async def resolve(host: str, port: int, proto: str = "udp") -> str | None:
    """The first address of `host` (A or AAAA), looked up in a thread; None when unknown."""
    kind = socket.SOCK_DGRAM if proto == "udp" else socket.SOCK_STREAM
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=kind)
    except (OSError, UnicodeError):
        return None
    return str(infos[0][4][0]) if infos else None
