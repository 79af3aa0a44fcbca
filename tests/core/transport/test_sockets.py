"""Listening sockets: one per worker for UDP, and an address in use is an error, not shared."""

from __future__ import annotations

import socket
import time
from collections import Counter

import pytest

from siprouter.core.runtime.sipstate import SocketInfo
from siprouter.core.transport.sockets import BindError, bind, bind_all, for_worker

ANY_PORT = SocketInfo("udp", "127.0.0.1", 0)


def _drain(sock: socket.socket) -> list[bytes]:
    got = []
    while True:
        try:
            got.append(sock.recv(100))
        except BlockingIOError:
            return got


def _send_all(port: int, count: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        for i in range(count):
            peer.sendto(b"%d" % i, ("127.0.0.1", port))
    time.sleep(0.1)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_an_address_another_process_holds_is_an_error(workers: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        port = other.getsockname()[1]
        with pytest.raises(BindError, match=f"cannot listen on udp:127.0.0.1:{port}: "
                                            "Address already in use"):
            bind_all([SocketInfo("udp", "127.0.0.1", port)], workers)


@pytest.mark.parametrize("first,second", [(1, 1), (2, 1), (1, 2), (2, 2), (2, 4)])
def test_a_second_server_on_our_address_is_refused(first: int, second: int) -> None:
    ours = bind_all([ANY_PORT], first)[0]
    try:
        with pytest.raises(BindError, match="Address already in use"):
            bind_all([ours.info], second)
    finally:
        ours.close()


def test_each_worker_has_its_own_socket_on_the_one_address() -> None:
    b = bind_all([ANY_PORT], 3)[0]
    try:
        assert len(b.per_worker) == 3
        assert {s.getsockname() for s in b.per_worker} == {("127.0.0.1", b.info.port)}
        assert [b.for_worker(r).sock for r in range(3)] == list(b.per_worker)
        assert all(b.for_worker(r).info == b.info for r in range(3))
    finally:
        b.close()


def test_datagrams_from_one_peer_are_spread_over_the_workers_each_read_once() -> None:
    b = bind_all([ANY_PORT], 2)[0]
    try:
        _send_all(b.info.port, 400)
        got = [_drain(s) for s in b.per_worker]
        assert sorted(m for msgs in got for m in msgs) == sorted(b"%d" % i for i in range(400))
        # one peer address, yet both workers get a share (not all on the hash of the peer)
        assert all(len(msgs) > 50 for msgs in got), Counter(len(m) for m in got)
    finally:
        b.close()


def test_a_worker_keeps_its_socket_and_closes_the_others() -> None:
    b = bind_all([ANY_PORT], 2)[0]
    try:
        mine = for_worker([b], 1)[0]
        assert mine.sock is b.per_worker[1] and mine.sock.fileno() >= 0
        assert b.per_worker[0].fileno() == -1
    finally:
        b.close()


def test_one_worker_and_stream_listeners_share_one_socket() -> None:
    udp, tcp = bind_all([ANY_PORT, SocketInfo("tcp", "127.0.0.1", 0)], 1)
    tcp2 = bind_all([SocketInfo("tcp", "127.0.0.1", 0)], 2)[0]
    try:
        assert udp.per_worker == () and udp.for_worker(0) is udp
        assert tcp.per_worker == () and tcp2.per_worker == ()
        with pytest.raises(BindError, match="Address already in use"):
            bind(tcp.info)
    finally:
        for b in (udp, tcp, tcp2):
            b.close()


def test_a_failed_bind_closes_what_was_already_opened() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind(("127.0.0.1", 0))
        taken = SocketInfo("udp", "127.0.0.1", other.getsockname()[1])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            free = SocketInfo("udp", "127.0.0.1", probe.getsockname()[1])
        with pytest.raises(BindError):
            bind_all([free, taken], 2)
        # nothing of ours holds the free address any more
        bind_all([free], 2)[0].close()
