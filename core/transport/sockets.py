"""Open the listening sockets, once, in the parent process; workers inherit them.

Every worker reads the same UDP socket and accepts on the same TCP/TLS socket, as Kamailio's
children do: the kernel hands each datagram or connection to one waiting worker, so the load
spreads whatever the peers' addresses (per-worker SO_REUSEPORT sockets would pin each peer to one
worker by a hash of its address). SO_REUSEPORT is not set: a second server on the same
address must fail to start, not silently share the traffic.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from siprouter.core.runtime.sipstate import SocketInfo

from .listen import is_ip

# Large kernel buffers absorb bursts while a worker is busy with a message (Kamailio probes the
# largest the kernel grants; we ask for a generous size and take what we get).
SOCKET_BUFFER = 4 * 1024 * 1024
LISTEN_BACKLOG = 1024


class BindError(OSError):
    """A listen socket could not be opened (address in use, no such address ...)."""


@dataclass(slots=True)
class BoundSocket:
    """A listening socket and what it is, as seen by the script (`$Ri`, `$Rp`, `$pr`)."""

    info: SocketInfo
    sock: socket.socket

    @property
    def family(self) -> int:
        return self.sock.family


def resolve_listen_host(host: str) -> str:
    """A listen address given as a name (`localhost`) becomes its first address."""
    if is_ip(host):
        return host
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except OSError as exc:
        raise BindError(f"cannot resolve listen address {host}: {exc}") from exc
    return str(infos[0][4][0])


def bind(info: SocketInfo) -> BoundSocket:
    """Open and bind one listening socket (non-blocking)."""
    family = socket.AF_INET6 if ":" in info.ip else socket.AF_INET
    kind = socket.SOCK_DGRAM if info.proto == "udp" else socket.SOCK_STREAM
    sock = socket.socket(family, kind)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if kind == socket.SOCK_DGRAM:
            for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
                try:
                    sock.setsockopt(socket.SOL_SOCKET, opt, SOCKET_BUFFER)
                except OSError:
                    pass  # the kernel's own limit applies
        sock.bind((info.ip, info.port))
        if kind == socket.SOCK_STREAM:
            sock.listen(LISTEN_BACKLOG)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise BindError(f"cannot listen on {info}: {exc.strerror or exc}") from exc
    if info.port == 0:  # an ephemeral port (tests): record the one we got
        port = sock.getsockname()[1]
        info = SocketInfo(info.proto, info.ip, port, info.advertised_host, info.advertised_port)
    return BoundSocket(info, sock)


def bind_all(infos: list[SocketInfo]) -> list[BoundSocket]:
    """Bind every socket, or none: on a failure the ones already open are closed."""
    bound: list[BoundSocket] = []
    try:
        for info in infos:
            bound.append(bind(info))
    except BindError:
        for b in bound:
            b.sock.close()
        raise
    return bound
