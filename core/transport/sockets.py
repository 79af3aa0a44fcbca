"""Open the listening sockets, once, in the parent process; workers inherit them.

Every worker reads the same UDP socket and accepts on the same TCP/TLS socket, as Kamailio's
children do: whichever worker is free takes the next datagram, so a worker that is busy (a slow
database query, stopped at a debugger breakpoint) delays nobody else's messages. Per-worker
SO_REUSEPORT sockets were tried (77bbfc0): they saved no measurable CPU per call (bench notes in
docs/PERFORMANCE.md) and left 1/N of the traffic queued behind a stopped worker.

A second server on the same address must fail to start, not silently share the traffic: no
SO_REUSEPORT, and no SO_REUSEADDR on UDP (on Linux it lets two UDP sockets share an address).
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass

from siprouter.core.runtime.sipstate import SocketInfo

from .listen import is_ip

log = logging.getLogger("siprouter.transport")

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

    def close(self) -> None:
        self.sock.close()


def resolve_listen_host(host: str) -> str:
    """A listen address given as a name (`localhost`) becomes its first address."""
    if is_ip(host):
        return host
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except OSError as exc:
        raise BindError(f"cannot resolve listen address {host}: {exc}") from exc
    return str(infos[0][4][0])


def _open(info: SocketInfo) -> socket.socket:
    """A bound, non-blocking socket for `info` (raises OSError)."""
    family = socket.AF_INET6 if ":" in info.ip else socket.AF_INET
    kind = socket.SOCK_DGRAM if info.proto == "udp" else socket.SOCK_STREAM
    sock = socket.socket(family, kind)
    try:
        if kind == socket.SOCK_STREAM:
            # restart while old connections are in TIME_WAIT; a second listener still fails
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
    except OSError:
        sock.close()
        raise
    return sock


def _with_port(info: SocketInfo, sock: socket.socket) -> SocketInfo:
    if info.port != 0:
        return info
    # an ephemeral port (tests): record the one we got
    port = sock.getsockname()[1]
    return SocketInfo(info.proto, info.ip, port, info.advertised_host, info.advertised_port)


def _error(info: SocketInfo, exc: OSError) -> BindError:
    return BindError(f"cannot listen on {info}: {exc.strerror or exc}")


def bind(info: SocketInfo) -> BoundSocket:
    """Open and bind one listening socket (non-blocking), shared by whoever inherits it."""
    try:
        sock = _open(info)
    except OSError as exc:
        raise _error(info, exc) from exc
    return BoundSocket(_with_port(info, sock), sock)


def bind_all(infos: list[SocketInfo]) -> list[BoundSocket]:
    """Bind every socket, or none: on a failure the ones already open are closed."""
    bound: list[BoundSocket] = []
    try:
        for info in infos:
            bound.append(bind(info))
    except BindError:
        for b in bound:
            b.close()
        raise
    return bound
