"""The table of a worker's TCP/TLS connections: look-up by id or peer, limits, idle sweep."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from siprouter.core.runtime.sipstate import SocketInfo
from siprouter.core.shared import counters

from .sink import MessageSink
from .stream import StreamConnection

log = logging.getLogger("siprouter.transport")

PeerKey = tuple[str, str, int]  # (proto, ip, port)


@dataclass(frozen=True, slots=True)
class StreamLimits:
    """Core parameters of stream transports (Kamailio's names in comments)."""

    lifetime: float = 120.0  # tcp_connection_lifetime, seconds of idleness
    max_connections: int = 2048  # tcp_max_connections (per worker here)
    max_message: int = 65535  # BUF_SIZE
    accept_no_cl: bool = False  # tcp_accept_no_cl
    write_limit: int = 1 << 20  # tcp_conn_wq_max: unsent octets before we give up
    connect_timeout: float = 10.0  # tcp_connect_timeout


# Kamailio's tcp/tls counters: summed over workers on read (core.tcp_info, cnt.get tcp ...).
_OPENED = {
    "tcp": counters.define("tcp", "current_opened_connections",
                           "number of currently opened TCP connections"),
    "tls": counters.define("tls", "current_opened_connections",
                           "number of currently opened TLS connections"),
}
_ESTABLISHED = counters.define("tcp", "established",
                               "number of TCP/TLS connections accepted or opened")
_LOCAL_REJECT = counters.define("tcp", "local_reject",
                                "connections refused at the connection limit")


class Connections:
    """Every open stream connection of this worker."""

    def __init__(self, sink: MessageSink, limits: StreamLimits,
                 clock: Callable[[], float]) -> None:
        self.sink = sink
        self.limits = limits
        self.now = clock
        self._ids = itertools.count(1)
        self.by_id: dict[int, StreamConnection] = {}
        self.by_peer: dict[PeerKey, StreamConnection] = {}
        self._refused_logged = False

    def next_id(self) -> int:
        return next(self._ids)

    def admit(self, conn: StreamConnection) -> bool:
        """Register a connection that came up; False (and the caller drops it) when accepting
        it would pass the connection limit."""
        if not conn.outgoing and len(self.by_id) >= self.limits.max_connections:
            if not self._refused_logged:
                log.warning("connection limit (%d) reached: refusing new connections",
                            self.limits.max_connections)
                self._refused_logged = True
            conn.closed = True
            _LOCAL_REJECT.inc()
            return False
        self._refused_logged = False
        _OPENED.get(conn.proto, _OPENED["tcp"]).inc()
        _ESTABLISHED.inc()
        self.by_id[conn.id] = conn
        self.by_peer[(conn.proto, conn.peer[0], conn.peer[1])] = conn
        return True

    def forget(self, conn: StreamConnection) -> None:
        if self.by_id.pop(conn.id, None) is not None:
            _OPENED.get(conn.proto, _OPENED["tcp"]).add(-1)
        key = (conn.proto, conn.peer[0], conn.peer[1])
        if self.by_peer.get(key) is conn:
            del self.by_peer[key]

    def find(self, proto: str, ip: str, port: int) -> StreamConnection | None:
        """An open connection to that peer (accepted or ours), or None."""
        conn = self.by_peer.get((proto, ip, port))
        return None if conn is None or conn.closed else conn

    def connect(self, factory: Callable[[], StreamConnection], ip: str, port: int) -> \
            StreamConnection:
        """Open a connection to ip:port; writes before it is up are queued on it."""
        conn = factory()
        conn.peer = (ip, port)
        self.by_peer[(conn.proto, ip, port)] = conn
        asyncio.get_running_loop().create_task(self._connect(conn, ip, port))
        return conn

    async def _connect(self, conn: StreamConnection, ip: str, port: int) -> None:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.create_connection(lambda: conn, ip, port),
                                   self.limits.connect_timeout)
        except (TimeoutError, OSError) as exc:
            log.error("%s: cannot connect to %s:%d: %s", conn.proto, ip, port,
                      getattr(exc, "strerror", None) or exc or "timeout")
            conn.closed = True
            self.forget(conn)

    def sweep(self) -> None:
        """Close connections idle for longer than the lifetime."""
        limit = self.now() - self.limits.lifetime
        for conn in [c for c in self.by_id.values() if c.last_active < limit]:
            log.debug("%s: closing idle connection to %s:%d", conn.proto, *conn.peer)
            conn.close()

    def close_all(self) -> None:
        for conn in list(self.by_id.values()):
            conn.close()


def local_for(sockets: list[SocketInfo], proto: str, ip: str) -> SocketInfo | None:
    """Our listening socket of `proto` in the address family of `ip` (for outgoing
    connections: what our Via names)."""
    v6 = ":" in ip
    for s in sockets:
        if s.proto == proto and (":" in s.ip) == v6:
            return s
    return None
