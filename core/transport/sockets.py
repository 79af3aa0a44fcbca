"""Open the listening sockets, once, in the parent process; workers inherit them.

UDP: every worker gets a socket of its own on the listen address (`SO_REUSEPORT`, all bound
here before the fork) and reads only that one, so a datagram wakes one worker. On one shared
socket every datagram woke every worker's event loop and all but one found nothing to read
(Kamailio's children block in `recvfrom`, where the kernel wakes one; an event loop cannot).
A classic BPF program on the group picks a worker at random for each datagram, as the shared
socket did, instead of the kernel's default hash of the peer's address, which would put all of
one busy peer's traffic (a trunk, a load generator) on one worker. Sending works from any
worker's socket: they all have the same local address.

A second server on the same address must fail to start, not silently share the traffic: a
probe without `SO_REUSEPORT` (and without `SO_REUSEADDR`, which lets UDP sockets share an
address on Linux) is bound first and fails with "Address already in use" when anyone holds
the address; the workers' sockets are bound right after it is closed.

TCP and TLS keep one listening socket shared by every worker (accepts are rare next to
datagrams).
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import socket
import struct
from dataclasses import dataclass

from siprouter.core.runtime.sipstate import SocketInfo

from .listen import is_ip

log = logging.getLogger("siprouter.transport")

# Large kernel buffers absorb bursts while a worker is busy with a message (Kamailio probes the
# largest the kernel grants; we ask for a generous size and take what we get).
SOCKET_BUFFER = 4 * 1024 * 1024
LISTEN_BACKLOG = 1024

# <linux/filter.h>, <asm-generic/socket.h>: a reuseport group's steering program.
SO_ATTACH_REUSEPORT_CBPF = 51
_BPF_LD_W_ABS = 0x20
_BPF_ALU_MOD_K = 0x94
_BPF_RET_A = 0x16
_SKF_AD_RANDOM = (-0x1000 + 56) & 0xFFFFFFFF


class BindError(OSError):
    """A listen socket could not be opened (address in use, no such address ...)."""


@dataclass(slots=True)
class BoundSocket:
    """A listening socket and what it is, as seen by the script (`$Ri`, `$Rp`, `$pr`).

    `per_worker` holds one socket per worker when the workers do not share `sock` (UDP with
    several workers; `sock` is the first of them)."""

    info: SocketInfo
    sock: socket.socket
    per_worker: tuple[socket.socket, ...] = ()

    @property
    def family(self) -> int:
        return self.sock.family

    def for_worker(self, rank: int) -> BoundSocket:
        """The socket worker `rank` reads."""
        if not self.per_worker:
            return self
        return BoundSocket(self.info, self.per_worker[rank % len(self.per_worker)])

    def close(self) -> None:
        """Close every socket (the shared one or all the workers')."""
        for s in self.per_worker or (self.sock,):
            s.close()


def for_worker(sockets: list[BoundSocket], rank: int) -> list[BoundSocket]:
    """In worker `rank`, after the fork: the sockets it serves. The other workers' sockets are
    closed here (they stay open in their own workers)."""
    mine = []
    for b in sockets:
        own = b.for_worker(rank)
        for s in b.per_worker:
            if s is not own.sock:
                s.close()
        mine.append(own)
    return mine


def resolve_listen_host(host: str) -> str:
    """A listen address given as a name (`localhost`) becomes its first address."""
    if is_ip(host):
        return host
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except OSError as exc:
        raise BindError(f"cannot resolve listen address {host}: {exc}") from exc
    return str(infos[0][4][0])


def _open(info: SocketInfo, *, reuseport: bool = False) -> socket.socket:
    """A bound, non-blocking socket for `info` (raises OSError)."""
    family = socket.AF_INET6 if ":" in info.ip else socket.AF_INET
    kind = socket.SOCK_DGRAM if info.proto == "udp" else socket.SOCK_STREAM
    sock = socket.socket(family, kind)
    try:
        if kind == socket.SOCK_STREAM:
            # restart while old connections are in TIME_WAIT; a second listener still fails
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuseport:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
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


def bind_per_worker(info: SocketInfo, workers: int) -> BoundSocket:
    """`workers` UDP sockets on one address, one per worker, datagrams spread at random; fails
    like `bind` when the address is taken."""
    probe = bind(info)  # EADDRINUSE here when another process holds the address
    info = probe.info
    probe.sock.close()
    socks: list[socket.socket] = []
    try:
        for _ in range(workers):
            socks.append(_open(info, reuseport=True))
    except OSError as exc:
        for s in socks:
            s.close()
        raise _error(info, exc) from exc
    try:
        spread_at_random(socks[0], workers)
    except OSError as exc:  # an old kernel: its hash of the peer's address picks the worker
        log.warning("udp %s: datagrams go to workers by peer address (%s)", info,
                    os.strerror(exc.errno or errno.EINVAL))
    return BoundSocket(info, socks[0], tuple(socks))


def spread_at_random(sock: socket.socket, workers: int) -> None:
    """Attach to `sock`'s reuseport group a program giving each datagram to a random one of
    its `workers` sockets (the order they were bound in)."""
    insns = [(_BPF_LD_W_ABS, 0, 0, _SKF_AD_RANDOM), (_BPF_ALU_MOD_K, 0, 0, workers),
             (_BPF_RET_A, 0, 0, 0)]
    code = b"".join(struct.pack("HBBI", *insn) for insn in insns)
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HL", len(insns), ctypes.addressof(buf))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, fprog)


def bind_all(infos: list[SocketInfo], workers: int = 1) -> list[BoundSocket]:
    """Bind every socket, or none: on a failure the ones already open are closed. With
    several `workers`, each UDP address gets a socket per worker (`bind_per_worker`)."""
    bound: list[BoundSocket] = []
    try:
        for info in infos:
            if info.proto == "udp" and workers > 1:
                bound.append(bind_per_worker(info, workers))
            else:
                bound.append(bind(info))
    except BindError:
        for b in bound:
            b.close()
        raise
    return bound
