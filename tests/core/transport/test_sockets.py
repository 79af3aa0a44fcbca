"""Listening sockets: every worker shares one per address, and an address in use is an error,
not silently shared with another server."""

from __future__ import annotations

import socket

import pytest

from siprouter.core.runtime.sipstate import SocketInfo
from siprouter.core.transport.sockets import BindError, bind, bind_all

ANY_PORT = SocketInfo("udp", "127.0.0.1", 0)


@pytest.mark.parametrize("reuse", [False, True])
def test_an_address_another_process_holds_is_an_error(reuse: bool) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        if reuse:  # even a peer that allows sharing does not get to share with us
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        port = other.getsockname()[1]
        with pytest.raises(BindError, match=f"cannot listen on udp:127.0.0.1:{port}: "
                                            "Address already in use"):
            bind_all([SocketInfo("udp", "127.0.0.1", port)])


@pytest.mark.parametrize("proto", ["udp", "tcp"])
def test_a_second_server_on_our_address_is_refused(proto: str) -> None:
    ours = bind_all([SocketInfo(proto, "127.0.0.1", 0)])[0]
    try:
        with pytest.raises(BindError, match="Address already in use"):
            bind(ours.info)
    finally:
        ours.close()


def test_an_ephemeral_port_is_recorded() -> None:
    b = bind_all([ANY_PORT])[0]
    try:
        assert b.info.port == b.sock.getsockname()[1] != 0
    finally:
        b.close()


def test_a_failed_bind_closes_what_was_already_opened() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
        other.bind(("127.0.0.1", 0))
        taken = SocketInfo("udp", "127.0.0.1", other.getsockname()[1])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            free = SocketInfo("udp", "127.0.0.1", probe.getsockname()[1])
        with pytest.raises(BindError):
            bind_all([free, taken])
        # nothing of ours holds the free address any more
        bind_all([free])[0].close()
